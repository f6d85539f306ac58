"""Load the region tree from a statistical-division-code file (.xlsx or .csv with the template's columns).

    manage.py import_regions regions.xlsx --dry-run
    manage.py import_regions regions.csv --user admin

Same rules as the web import: every row is checked first and nothing is written if any row has an error.
Without --user the rows are attributed to no one (an operator at the console) and no scope applies.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from wushe.audit.models import AuditEvent
from wushe.audit.services import audit_record
from wushe.imports.engine import run_import
from wushe.imports.kinds import SPECS
from wushe.imports.models import ImportKind
from wushe.imports.reader import SheetError, open_sheet

ERRORS_SHOWN = 50


class Command(BaseCommand):
    help = "Import administrative regions (区划代码) from an .xlsx or .csv file."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check every row but write nothing")
        parser.add_argument("--user", help="username the change history is attributed to")

    def handle(self, *args, file, dry_run, user, **options):
        actor = None
        if user:
            try:
                actor = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user named {user!r}.")
        spec = SPECS[ImportKind.REGIONS]
        try:
            with open(file, "rb") as fileobj, open_sheet(fileobj, file) as sheet:
                outcome = run_import(spec, sheet, actor=actor, dry_run=dry_run,
                                     progress=lambda n: self.stderr.write(f"\r{n} rows checked", ending=""),
                                     change_reason=f"import_regions {file}"[:100])
        except FileNotFoundError:
            raise CommandError(f"File not found: {file}")
        except SheetError as error:
            raise CommandError(str(error.message))
        self.stderr.write("")
        audit_record(actor=actor, kind=AuditEvent.Kind.IMPORT, target="import:regions:command", file=file,
                     dry_run=dry_run, rows=outcome.total_rows, created=outcome.created, updated=outcome.updated,
                     unchanged=outcome.unchanged, errors=len(outcome.errors), written=outcome.written)
        if outcome.errors:
            for error in outcome.errors[:ERRORS_SHOWN]:
                self.stderr.write(f"row {error['row']} {error['column']}: {error['message']}")
            if len(outcome.errors) > ERRORS_SHOWN:
                self.stderr.write(f"... and {len(outcome.errors) - ERRORS_SHOWN} more")
            raise CommandError(f"{len(outcome.errors)} error(s); nothing was written.")
        verb = "would be" if dry_run else "were"
        self.stdout.write(self.style.SUCCESS(
            f"{outcome.total_rows} rows: {outcome.created} {verb} created, {outcome.updated} {verb} updated, "
            f"{outcome.unchanged} unchanged." + (" (dry run: nothing written)" if dry_run else "")))
