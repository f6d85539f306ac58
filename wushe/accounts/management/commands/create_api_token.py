from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wushe.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Issue a personal API token for USERNAME and print it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("用户不存在：%(username)s") % {"username": username})
        _token, key = api_token_create(actor=None, user=user, name=name)
        self.stdout.write(key)
