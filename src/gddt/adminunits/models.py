from django.db import models


class Province(models.Model):
    """One of the 34 provinces (2025), loaded from the `vietnam-provinces` package by `gddt init`."""

    code = models.CharField(max_length=2, primary_key=True)  # "01" Hà Nội ... "96" Cà Mau
    name = models.CharField(max_length=100)
    division_type = models.CharField(max_length=40)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Ward(models.Model):
    """A commune-level unit (xã, phường, đặc khu); there is no district level since 2025."""

    code = models.CharField(max_length=5, primary_key=True)
    name = models.CharField(max_length=100)
    division_type = models.CharField(max_length=40)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="wards")

    class Meta:
        ordering = ["province_id", "name"]

    def __str__(self) -> str:
        return self.name
