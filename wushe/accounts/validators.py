from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MSG_PASSWORD_CLASSES = "密码须同时包含字母和数字，并至少包含大写字母、小写字母、符号中的两类。"


class CharacterClassValidator:
    """Strong passwords: letters and digits, plus two of upper case, lower case and symbols."""

    def validate(self, password, user=None):
        has_digit = any(c.isdigit() for c in password)
        has_letter = any(c.isalpha() for c in password)
        extra = sum([any(c.isupper() for c in password), any(c.islower() for c in password),
                     any(not c.isalnum() for c in password)])
        if not (has_digit and has_letter and extra >= 2):
            raise ValidationError(_(MSG_PASSWORD_CLASSES), code="password_classes")

    def get_help_text(self):
        return _(MSG_PASSWORD_CLASSES)
