import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from wushe.core import demo


class Command(BaseCommand):
    help = ("Seed the deterministic demo district (regions, residents, organizations, workers, volunteers and a "
            "demo login for every role). Does nothing when the demo already exists; --reset rebuilds it.")

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, default=demo.DEFAULT_RESIDENTS,
                            help="approximate number of residents (default %(default)s)")
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="random seed (default %(default)s)")
        parser.add_argument("--reset", action="store_true",
                            help="remove the demo streets, their records and the demo users first, then seed again")

    def handle(self, *args, residents, seed, reset, **options):
        if residents < 50:
            raise CommandError(_("居民人数至少为50。"))
        started = time.monotonic()
        with transaction.atomic():  # a failed rebuild leaves the old demo in place
            if reset and demo.demo_exists():
                try:
                    demo.reset_demo()
                except demo.DemoResetBlocked as error:
                    raise CommandError(str(error))
                self.stdout.write(_("已删除原有演示数据。"))
            counts = demo.seed_demo(residents=residents, seed=seed)
        if counts is None:
            self.stdout.write(str(demo.MSG_DEMO_EXISTS))
            return
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
        self.stdout.write(self.style.SUCCESS(
            _("演示数据已生成（%(seconds).1f 秒）。运行 python manage.py demo_logins 查看演示账号。")
            % {"seconds": time.monotonic() - started}))
