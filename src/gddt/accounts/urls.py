from django.urls import path

from gddt.accounts import views

app_name = "accounts"

urlpatterns = [
    path("can-bo/dang-nhap/", views.sign_in, name="sign_in"),
    path("can-bo/dang-nhap/ma-xac-thuc/", views.otp_verify, name="otp_verify"),
    path("can-bo/dang-nhap/cai-dat-xac-thuc/", views.otp_enrol, name="otp_enrol"),
    path("can-bo/dang-xuat/", views.sign_out, name="logout"),
    path("can-bo/nhan-su/", views.staff, name="staff"),
    path("can-bo/nhan-su/<str:username>/vai-tro/", views.staff_roles, name="staff_roles"),
    path("can-bo/nhan-su/<str:username>/ma-kich-hoat/", views.staff_enrolment_code, name="staff_enrolment_code"),
]
