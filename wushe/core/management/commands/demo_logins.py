import unicodedata

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from wushe.core import demo


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "List the demo logins (username, phone, roles, scope) and their shared password."

    def handle(self, *args, **options):
        rows = demo.demo_login_rows()
        if not rows:
            self.stdout.write(str(demo.MSG_DEMO_NOT_SEEDED))
            return
        columns = [("username", _("用户名")), ("phone", _("手机号")), ("name", _("姓名")),
                   ("roles", _("角色")), ("scope", _("范围"))]
        widths = {key: max(_width(str(label)), *(_width(row[key]) for row in rows)) for key, label in columns}
        self.stdout.write(_("演示账号共用密码：%(password)s（可用用户名或手机号登录）")
                          % {"password": demo.DEMO_PASSWORD})
        self.stdout.write("")
        self.stdout.write("  ".join(_pad(str(label), widths[key]) for key, label in columns).rstrip())
        self.stdout.write("  ".join("-" * widths[key] for key, _label in columns))
        for row in rows:
            self.stdout.write("  ".join(_pad(row[key], widths[key]) for key, _label in columns).rstrip())
