from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gddt.accounts"
    label = "accounts"
