"""Keep each detainee's stored status current whenever one of their detentions changes."""

from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver

from .models import Detainee, Detention


@receiver(post_init, sender=Detention)
def remember_detainee(sender, instance, **kwargs):
    # A detention moved to another person (a merge) changes the status of both.
    instance._loaded_detainee_id = instance.detainee_id


@receiver(post_save, sender=Detention)
@receiver(post_delete, sender=Detention)
def refresh_detainee_status(sender, instance, raw=False, **kwargs):
    if raw:  # fixtures and dataset imports refresh every detainee once at the end
        return
    ids = {instance.detainee_id, getattr(instance, "_loaded_detainee_id", None)} - {None}
    Detainee.objects.filter(pk__in=ids).refresh_status()
    instance._loaded_detainee_id = instance.detainee_id
