from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from hr.validators import validate_sane_date

MAX_BACKFILL = timedelta(days=366 * 2)


class BackfillForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}), validators=[validate_sane_date])
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}), validators=[validate_sane_date])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period cannot be before its start."))
        elif start and end and end - start > MAX_BACKFILL:
            self.add_error("end", _("Choose a period of at most two years."))
        return cleaned
