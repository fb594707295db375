from django.urls import path

from gddt.accounts import citizen_views, views

app_name = "accounts"

urlpatterns = [
    path("can-bo/dang-nhap/", views.sign_in, name="sign_in"),
    path("can-bo/dang-nhap/ma-xac-thuc/", views.otp_verify, name="otp_verify"),
    path("can-bo/dang-nhap/cai-dat-xac-thuc/", views.otp_enrol, name="otp_enrol"),
    path("can-bo/dang-xuat/", views.sign_out, name="logout"),
    path("can-bo/nhan-su/", views.staff, name="staff"),
    path("can-bo/nhan-su/<str:username>/vai-tro/", views.staff_roles, name="staff_roles"),
    path("can-bo/nhan-su/<str:username>/ma-kich-hoat/", views.staff_enrolment_code, name="staff_enrolment_code"),
    path(
        "can-bo/ho-so/<str:dossier_no>/tai-khoan/cap-lai/",
        views.dossier_account_reissue,
        name="dossier_account_reissue",
    ),
    path(
        "can-bo/ho-so/<str:dossier_no>/tai-khoan/mo-khoa/", views.dossier_account_unlock, name="dossier_account_unlock"
    ),
    # Citizens.
    path("dang-nhap/", citizen_views.sign_in, name="citizen_sign_in"),
    path("tai-khoan/", citizen_views.home, name="citizen_home"),
    path("tai-khoan/doi-mat-khau/", citizen_views.password_change, name="citizen_password"),
    path("tai-khoan/du-lieu-cua-toi/", citizen_views.own_copy, name="citizen_own_copy"),
    path("tai-khoan/dang-xuat/", citizen_views.sign_out, name="citizen_sign_out"),
    path("tai-khoan/dang-xuat-moi-noi/", citizen_views.sign_out_everywhere, name="citizen_sign_out_everywhere"),
    path("quen-mat-khau/", citizen_views.password_forgot, name="citizen_password_forgot"),
    path("quen-mat-khau/dat-lai/", citizen_views.password_reset, name="citizen_password_reset"),
]
