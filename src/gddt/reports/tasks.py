"""The aggregation runs in every worker as a loop of its own (core/registry.py): every REFRESH_SECONDS it folds in
what was recorded since the last run, so that the figures lag by at most about a minute plus
GDDT_REPORTS_GRACE_SECONDS, whatever the scheduler's period. Several workers take turns on the cursor's lock."""

import logging
import threading

from django.db import DatabaseError, close_old_connections, connection

from gddt.reports.services import report_figures_refresh

logger = logging.getLogger(__name__)
REFRESH_SECONDS = 60


class FiguresRefresher:
    def run(self, stopping: threading.Event) -> None:
        try:
            while not stopping.wait(REFRESH_SECONDS):
                try:
                    close_old_connections()
                    self.drain()
                except DatabaseError:
                    logger.warning("the report figures could not be brought up to date; trying again", exc_info=True)
        finally:
            connection.close()

    def drain(self) -> int:
        """One run: folds in what was recorded since the last; answers how many transitions and documents."""
        return report_figures_refresh()
