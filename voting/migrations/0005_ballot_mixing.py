"""V2: ballots are mixed at closing. A ballot is written in the voter's transaction, next to the unique
participation row, so both rows carry the same transaction id (xmin) and the heap keeps casting order
(ctid): SQL could pair a voter with a choice. `ballot_session_close` therefore rewrites every ballot of
the session, in a random order, in the closing transaction. The trigger lets a DELETE of ballots
through only for that: the session still open, and the closing transaction's own local setting
`voting.mixing` naming the session (the count check at closing would show any ballot removed)."""

from django.db import migrations

GUARD = """
CREATE OR REPLACE FUNCTION voting_ballot_final_unless_mixing() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('voting.mixing', true) = OLD.session_id::text
       AND voting_ballot_session_status(OLD.session_id) = 'open' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '选票只能追加，不能修改或删除 (V2, V9)';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS voting_ballot_append_only ON voting_ballot;
CREATE TRIGGER voting_ballot_append_only BEFORE UPDATE OR DELETE ON voting_ballot
    FOR EACH ROW EXECUTE FUNCTION voting_ballot_final_unless_mixing();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS voting_ballot_append_only ON voting_ballot;
CREATE TRIGGER voting_ballot_append_only BEFORE UPDATE OR DELETE ON voting_ballot
    FOR EACH ROW EXECUTE FUNCTION voting_ballot_append_only();
DROP FUNCTION IF EXISTS voting_ballot_final_unless_mixing;
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD)


class Migration(migrations.Migration):
    dependencies = [("voting", "0004_paper_second_entry")]

    operations = [migrations.RunPython(guard, unguard)]
