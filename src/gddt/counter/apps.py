from django.apps import AppConfig


class CounterConfig(AppConfig):
    name = "gddt.counter"
    label = "counter"
