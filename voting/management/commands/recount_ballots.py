"""Recount an online ballot from its bulletin (V2, verifiable): `python manage.py recount_ballots SESSION
[--bulletin FILE]`.

FILE is the JSON answered by GET /api/v1/ballot-sessions/{id}/bulletin/ (`{"entries", "root"}`), as a
supervisor downloaded it; without it the ballots are read from the database. The command recomputes the
root (sha256 of the entries as canonical JSON: sorted keys, no spaces, UTF-8) and the tally from the
entries alone, compares both with what was announced at closing, prints one line per difference and exits
non-zero when there is any.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from cadre.thresholds import snapshot
from voting.models import BallotSession
from voting.selectors import bulletin_entries, bulletin_root, tally_entries


class Command(BaseCommand):
    help = "从公告板独立重新计票，并与结束投票时公布的结果和根哈希核对"

    def add_arguments(self, parser):
        parser.add_argument("session", type=int)
        parser.add_argument("--bulletin", help="公告板 JSON 文件（bulletin/ 接口的返回）")

    def handle(self, *args, session, bulletin=None, **options):
        found = BallotSession.objects.filter(pk=session).first()
        if found is None:
            raise CommandError(f"投票 {session} 不存在")
        if found.status != BallotSession.Status.CLOSED:
            raise CommandError("投票尚未结束")
        if bulletin:
            with open(bulletin, encoding="utf-8") as handle:
                published = json.load(handle)
            entries = published["entries"]
            if published.get("root") != bulletin_root(entries):
                self.stdout.write("公告板文件的 root 与其条目计算出的根哈希不一致")
        else:
            entries = bulletin_entries(session=found)
        problems = []
        root = bulletin_root(entries)
        if root != found.bulletin_root:
            problems.append(f"根哈希不一致：重算 {root}，公布 {found.bulletin_root}")
        # the thresholds of the announcement travel with it; the counts are what is recounted
        recount = tally_entries(session=found, entries=entries, thresholds=snapshot())
        announced = found.result or {}
        if recount["ballots"] != announced.get("ballots"):
            problems.append(f"选票数不一致：重算 {recount['ballots']}，公布 {announced.get('ballots')}")
        for mine, theirs in zip(recount["items"], announced.get("items", []), strict=False):
            if mine != theirs:
                problems.append(f"事项 {mine['item']} 不一致：重算 {mine}，公布 {theirs}")
        if len(recount["items"]) != len(announced.get("items", [])):
            problems.append("事项数不一致")
        for line in problems:
            self.stdout.write(line)
        if problems:
            raise CommandError(f"重新计票与公布结果不一致（{len(problems)} 处）")
        self.stdout.write(f"重新计票一致：{recount['ballots']} 张选票，根哈希 {root}")
