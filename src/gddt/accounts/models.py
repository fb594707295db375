import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class UserKind(models.TextChoices):
    OFFICER = "officer", _("Officer")
    CITIZEN = "citizen", _("Citizen")


class User(AbstractUser):
    """Officers and citizens share the sign-in machinery; `kind` tells them apart. An officer belongs to one
    office; a citizen's username is the personal ID (or the insurance number when there is none)."""

    kind = models.CharField(max_length=10, choices=UserKind.choices, default=UserKind.OFFICER)
    office = models.ForeignKey(
        "offices.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="officers"
    )
    phone = models.CharField(max_length=15, blank=True)
    must_change_password = models.BooleanField(default=False)
    # The `sub` of OpenID Connect: stable, random, and never the personal ID or the insurance number.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # A citizen's initial (SMS) password stops working after this, unless it was changed before.
    initial_password_expires_at = models.DateTimeField(null=True, blank=True)
    # Raised by "sign out everywhere": every web session signed in before it ends at its next request.
    session_epoch = models.PositiveIntegerField(default=0)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's session hash (of the password hash), with the session epoch once it is raised, so that a
        sign-out everywhere ends every session without a new password; epoch 0 keeps the former hash."""
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        value = self.password if not self.session_epoch else f"{self.password}:{self.session_epoch}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()


class Role(models.TextChoices):
    VERIFIER = "verifier", _("Receiving officer (verifies)")
    APPROVER = "approver", _("Approving officer")
    DIRECTOR = "director", _("Director")
    ADMIN = "admin", _("Administrator")


class RoleAssignment(models.Model):
    """A role of an officer in an office; it grants the role in that office's subtree, between the dates."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(max_length=10, choices=Role.choices)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "office", "role"], name="one_assignment_per_role")]


class TokenAudience(models.TextChoices):
    OFFICER = "officer", _("Officer API")
    CITIZEN = "citizen", _("Citizen API")


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; it expires and can be revoked. The audience
    keeps the two APIs apart: a citizen's token is never accepted where an officer's is expected, nor the
    other way round."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    audience = models.CharField(max_length=10, choices=TokenAudience.choices, default=TokenAudience.OFFICER)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)  # shown in listings, so a token can be told apart without its secret
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)


class EnrolmentCode(models.Model):
    """A one-time code that lets an officer set up the authenticator app (the second factor): the creator of the
    account or a director hands it over, so that knowing the password alone is not enough to enrol. Only a keyed
    hash is stored; a code works once, until `expires_at`. Issuing a new code ends the officer's earlier ones."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class PasswordResetCode(models.Model):
    """A 6-digit code sent by SMS to the phone on record of a citizen who forgot the password. Only a keyed hash
    is kept; the code works once, until `expires_at`, and dies after too many wrong tries. Issuing a new code ends
    the earlier ones. The rows of the last hour are also the count of codes sent (a limit per account)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_reset_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)  # wrong codes typed
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="reset_code_user_created")]


class SignInFailure(models.Model):
    """A failed sign-in of an account, from any address: the per-account limit counts these in a sliding window,
    so that guesses spread over many addresses still lock the account (django-axes counts per address)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_in_failures")
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "at"], name="sign_in_failure_user_at")]
