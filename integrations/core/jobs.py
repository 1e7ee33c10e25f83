"""What every background job that works on a `SyncRun` shares."""

import functools

from django.conf import settings
from django.utils import translation

from .models import RunCancelled, SyncRun


def in_organization_language(job):
    """For a job called with a SyncRun's id: run it in the organization's language, so the run's
    log, its error and the error-log entries it writes read in the words of the people who open
    them — not in the language of whoever started the job cluster. A run cancelled meanwhile
    ends its job here, quietly: the run already says it was cancelled."""

    @functools.wraps(job)
    def run(run_id, *args, **kwargs):
        language = SyncRun.objects.filter(pk=run_id).values_list("organization__language", flat=True).first()
        with translation.override(language or settings.LANGUAGE_CODE):
            try:
                return job(run_id, *args, **kwargs)
            except RunCancelled:
                return None

    return run
