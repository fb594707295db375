from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "gddt.notifications"
    label = "notifications"
