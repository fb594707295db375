"""The aggregates behind the progress reports: daily figures per office and category, kept up to date by an
idempotent job (services.report_figures_refresh) that folds in the dossiers' transitions and documents past a
high-water mark, so that a report reads a few hundred rows whatever the number of dossiers."""

from django.conf import settings
from django.db import models


class ReportCursor(models.Model):
    """The high-water marks of the aggregation (one row, name "progress"): every transition and document with
    an id up to these is counted in the figures. Locked by whoever changes the figures."""

    name = models.CharField(max_length=20, unique=True)
    transition_id = models.BigIntegerField(default=0)
    document_id = models.BigIntegerField(default=0)
    # Everything recorded before this moment is counted (the page says "figures up to HH:MM").
    figures_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)


class DailyFigure(models.Model):
    """Counts of one day (Asia/Ho_Chi_Minh) at one office for one category. A count belongs to the office where
    its transition happened (submissions and expiries: the office the citizen chose); `backlog_in` and
    `backlog_out` count dossiers that became open or stopped being open, at the office chosen."""

    day = models.DateField()
    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=24)
    submitted = models.PositiveIntegerField(default=0)
    verified = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    expired = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    completed_elsewhere = models.PositiveIntegerField(default=0)  # approved at an office other than the chosen one
    supplied_at_counter = models.PositiveIntegerField(default=0)  # documents
    supplied_online = models.PositiveIntegerField(default=0)
    backlog_in = models.PositiveIntegerField(default=0)
    backlog_out = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "office", "category"], name="one_figure_per_day")]


class DailyRejection(models.Model):
    """Rejections of one day at one office, per category and reason code."""

    day = models.DateField()
    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=24)
    reason = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "office", "category", "reason"], name="one_rejection_count_per_day")
        ]


class DailyApprovalHours(models.Model):
    """A histogram of the hours from submission to approval, per approval day, approving office and category:
    `bucket` is the lower bound in hours of a bucket (selectors.APPROVAL_BUCKETS), so that the median and the
    90th percentile of any period and subtree come from these rows, not from the dossiers."""

    day = models.DateField()
    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=24)
    bucket = models.PositiveIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "office", "category", "bucket"], name="one_approval_bucket_per_day")
        ]


class DailyOfficerFigure(models.Model):
    """What one officer did on one day at one office."""

    day = models.DateField()
    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verified = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "office", "officer"], name="one_officer_figure_per_day")]


class OpenBacklog(models.Model):
    """The dossiers open now (submitted or verified), per chosen office, category and day of submission: the
    backlog by age is a sum over a few rows."""

    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=24)
    submitted_on = models.DateField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "category", "submitted_on"], name="one_backlog_count_per_day")
        ]
