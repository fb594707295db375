"""The aggregates behind the progress reports, kept up to date by an idempotent job
(services.report_figures_refresh) that folds in the dossiers' transitions and documents past a high-water mark.

The daily figures, rejections and open backlog are kept per *subtree*: the row of an office counts everything
that happened at that office and at every office below it (a transition is added to the row of its office and to
those of all its ancestors). A report of an office reads that office's rows only, one per day and category,
whatever the number of dossiers or offices below it; the figures of the office alone are its subtree's minus its
children's. Moving an office to another parent needs `gddt reports rebuild`."""

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
    """Counts of one day (Asia/Ho_Chi_Minh) in one office's subtree for one category. A count belongs to the
    office where its transition happened (submissions and expiries: the office the citizen chose); `backlog_in`
    and `backlog_out` count dossiers that became open or stopped being open, at the office chosen.
    `approval_hours` is the histogram of the hours from submission to approval of that day's approvals: the counts
    per bucket of services.APPROVAL_BUCKETS, comma-separated, trailing zeros left out; a fixed number of buckets,
    so that the median and the 90th percentile of any period cost the same however many dossiers there are."""

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
    approval_hours = models.TextField(default="", blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "day", "category"], name="one_figure_per_day")]


class DailyRejection(models.Model):
    """Rejections of one day in one office's subtree, per category and reason code."""

    day = models.DateField()
    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=24)
    reason = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "day", "category", "reason"], name="one_rejection_count_per_day")
        ]


class DailyOfficerFigure(models.Model):
    """What one officer did on one day at one office (that office only: officers are few, and the report lists
    each with the office where they worked)."""

    day = models.DateField()
    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verified = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "day", "officer"], name="one_officer_figure_per_day")]


class OpenBacklog(models.Model):
    """The dossiers open now (submitted or verified) in one office's subtree (by the office chosen), per category
    and day of submission: the backlog by age is a sum over a few rows."""

    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=24)
    submitted_on = models.DateField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "category", "submitted_on"], name="one_backlog_count_per_day")
        ]
