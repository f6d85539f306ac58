from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wushe.accounts.roles import Role
from wushe.accounts.services import role_assign
from wushe.regions.models import Region


class Command(BaseCommand):
    help = "Give USERNAME a ROLE over a region (--region CODE); platform_admin, volunteer and resident need none."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=[role.value for role in Role])
        parser.add_argument("--region", help="12-digit region code")

    def handle(self, *args, username, role, region, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("用户不存在：%(username)s") % {"username": username})
        node = None
        if region:
            node = Region.objects.filter(code=region).first()
            if node is None:
                raise CommandError(_("区划代码不存在：%(code)s") % {"code": region})
        try:
            assignment = role_assign(actor=None, user=user, role=role, region=node)
        except ValidationError as error:
            raise CommandError("；".join(error.messages))
        self.stdout.write(str(assignment))
