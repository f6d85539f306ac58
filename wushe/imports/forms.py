from django import forms
from django.utils.translation import gettext_lazy as _


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("文件"), help_text=_("按模板填写的 Excel（.xlsx）或 CSV 文件。"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))
    dry_run = forms.BooleanField(label=_("试运行（只检查不写入）"), required=False)
