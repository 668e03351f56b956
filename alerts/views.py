"""Pages of a reader's account: sign up, confirm, sign in, what they follow, their webhooks and delivery logs."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView
from rest_framework.authtoken.models import Token

from . import services, tasks
from .accounts import confirm, is_confirmed
from .forms import FollowForm, SignUpForm, WebhookForm
from .models import Account, Delivery, Follow, Webhook, new_secret


@method_decorator(never_cache, name="dispatch")
class SignUpView(FormView):
    """A reader's account; the confirmation link is sent by the worker."""

    template_name = "alerts/signup.html"
    form_class = SignUpForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("alerts:account")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        user = get_user_model().objects.create_user(
            username=email, email=email, password=form.cleaned_data["password1"]
        )
        Account.objects.create(user=user)
        tasks.send_confirmation.enqueue(user.pk)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, _("Account made. We sent a confirmation link to %(email)s.") % {"email": email})
        return redirect("alerts:account")


@method_decorator(never_cache, name="dispatch")
class ConfirmView(View):
    """The link in the confirmation email."""

    def get(self, request, token):
        user = confirm(token)
        if user is None:
            return render(request, "alerts/confirm_failed.html", status=400)
        messages.success(request, _("Your address %(email)s is confirmed.") % {"email": user.email})
        return redirect("alerts:account")


class AccountMixin(LoginRequiredMixin):
    """Signed in; `confirmed` says whether the address is confirmed (needed to follow or register webhooks)."""

    def confirmed(self) -> bool:
        return is_confirmed(self.request.user)

    def refuse_unconfirmed(self):
        messages.error(self.request, _("Confirm your email address first: follows and webhooks need it."))
        return redirect("alerts:account")


class AccountView(AccountMixin, TemplateView):
    """The reader's page: their address, what they follow (with each follow's Atom feed) and their webhooks."""

    template_name = "alerts/account.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            confirmed=self.confirmed(),
            follows=with_pages(list(Follow.objects.filter(user=user).select_related("search"))),
            webhooks=Webhook.objects.filter(user=user).select_related("search"),
            token=Token.objects.filter(user=user).first(),
            **kwargs,
        )


class TokenView(AccountMixin, View):
    """A new API token (the old one stops working): scripts manage webhooks with it at /api/v1/webhooks/."""

    def post(self, request):
        if not self.confirmed():
            return self.refuse_unconfirmed()
        Token.objects.filter(user=request.user).delete()
        Token.objects.create(user=request.user)
        messages.success(request, _("A new API token is ready; the old one no longer works."))
        return redirect("alerts:account")


def with_pages(follows: list[Follow]) -> list[Follow]:
    """Each followed case's or exchange's page (by slug) and name, while it is published; two queries in all."""
    from detainees.models import Detainee
    from exchanges.models import Exchange

    for kind, model, name in [(Follow.Kind.DETAINEE, Detainee, "detainees:detainee-detail"),
                              (Follow.Kind.EXCHANGE, Exchange, "exchanges:exchange-detail")]:  # fmt: skip
        ids = {f.object_id for f in follows if f.kind == kind}
        found = model.objects.published().filter(pk__in=ids).values_list("pk", "slug", "name") if ids else []
        pages = {pk: (slug, record_name) for pk, slug, record_name in found}
        for follow in follows:
            if follow.kind == kind and follow.object_id in pages:
                slug, follow.label = pages[follow.object_id]  # its name now (shown, not saved)
                follow.page_url = reverse(name, args=[slug])
    return follows


class ResendConfirmationView(AccountMixin, View):
    def post(self, request):
        if not request.user.email:
            messages.error(request, _("Your account has no email address."))
        else:
            tasks.send_confirmation.enqueue(request.user.pk)
            messages.success(
                request, _("We sent a new confirmation link to %(email)s.") % {"email": request.user.email}
            )
        return redirect("alerts:account")


class FollowCreateView(AccountMixin, FormView):
    """Follow a case, an exchange or a saved search (GET with `kind` and `id` or `query` fills the form)."""

    template_name = "alerts/follow_form.html"
    form_class = FollowForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.confirmed():
            return self.refuse_unconfirmed()
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        get = self.request.GET
        return {
            "kind": get.get("kind", "search"),
            "object_id": get.get("id"),
            "query": get.get("query", ""),
            "email": True,
        }

    def get_context_data(self, **kwargs):
        """What the link from a case's or an exchange's page follows, by name (the form shows only its id)."""
        context = super().get_context_data(**kwargs)
        form = context["form"]
        kind, object_id = form["kind"].value(), form["object_id"].value()
        context["target"] = FollowForm.record(kind, object_id)
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        follow = services.create_follow(
            user=self.request.user,
            kind=data["kind"],
            object_id=data.get("object_id"),
            query=data.get("query", ""),
            label=data.get("label", ""),
            email=data["email"],
        )
        messages.success(
            self.request, _("You now follow %(what)s. New events will reach you from now on.") % {"what": follow.label}
        )
        return redirect("alerts:account")


class FollowDeleteView(AccountMixin, View):
    def post(self, request, pk):
        get_object_or_404(Follow, pk=pk, user=request.user).delete()
        messages.success(request, _("You no longer follow it."))
        return redirect("alerts:account")


class FollowFeed(Feed):
    """A follow's alerts as Atom, at a secret URL (no sign-in: a feed reader has none)."""

    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        # One person's feed: a feed reader may keep it a while, a shared cache (CDN) never.
        response["Cache-Control"] = "private, max-age=300"
        return response

    def get_object(self, request, token):
        follow = Follow.objects.filter(feed_token=token, user__is_active=True).first()
        if follow is None:
            raise Http404
        return follow

    def title(self, follow):
        return _("Alerts: %(follow)s") % {"follow": follow}

    def link(self, follow):
        return reverse("alerts:account")

    def feed_url(self, follow):
        return reverse("alerts:follow-feed", args=[follow.feed_token])

    def items(self, follow):
        return Delivery.objects.filter(follow=follow).select_related("follow").order_by("-seq")[:50]

    def item_title(self, delivery):
        what = delivery.what
        if delivery.op == "delete":
            return _("Removed from public view: %(what)s") % {"what": what}
        if delivery.match == "left":
            return _("No longer matches the search: %(what)s") % {"what": what}
        if delivery.match == "entered":
            return _("Now matches the search: %(what)s") % {"what": what}
        return _("Updated: %(what)s") % {"what": what}

    def item_description(self, delivery):
        return _("%(what)s: %(resource)s %(id)s, event %(seq)s of the change feed.") % {
            "what": delivery.what,
            "resource": delivery.resource,
            "id": delivery.object_id,
            "seq": delivery.seq,
        }

    def item_link(self, delivery):
        if delivery.link and delivery.op != "delete" and delivery.link.startswith(("http://", "https://", "/")):
            return delivery.link
        return reverse("api:api-root") + f"{delivery.resource}/{delivery.object_id}/"

    def item_guid(self, delivery):
        return f"urn:uuid:{delivery.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, delivery):
        return delivery.created_at


class WebhookCreateView(AccountMixin, FormView):
    template_name = "alerts/webhook_form.html"
    form_class = WebhookForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.confirmed():
            return self.refuse_unconfirmed()
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        hook = services.create_webhook(
            user=self.request.user, url=data["url"], resources=data["resources"], query=data["query"]
        )
        messages.success(self.request, _("Webhook registered. Keep its secret: it signs every POST."))
        return redirect("alerts:webhook-detail", pk=hook.pk)


class WebhookDetailView(AccountMixin, TemplateView):
    """A webhook's settings, secret and delivery log (newest first, with each attempt)."""

    template_name = "alerts/webhook_detail.html"

    def get_context_data(self, **kwargs):
        hook = get_object_or_404(Webhook.objects.select_related("search"), pk=self.kwargs["pk"], user=self.request.user)
        deliveries = Delivery.objects.filter(webhook=hook).prefetch_related("attempt_log").order_by("-seq")
        page = Paginator(deliveries, 25).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            hook=hook,
            page_obj=page,
            paginator=page.paginator,
            deliveries=page.object_list,
            is_paginated=page.has_other_pages(),
            **kwargs,
        )


class WebhookActionView(AccountMixin, View):
    """Turn a webhook on or off, delete it, or send one delivery again."""

    actions = {"enable", "disable", "delete", "redeliver", "rotate"}

    def post(self, request, pk, action):
        hook = get_object_or_404(Webhook, pk=pk, user=request.user)
        if action not in self.actions:
            raise Http404
        if action == "enable":
            services.enable_webhook(hook)
            messages.success(request, _("Webhook on: pending deliveries are sent now."))
        elif action == "disable":
            services.disable_webhook(hook, _("Turned off by its owner."))
            messages.success(request, _("Webhook off: events are kept and sent when you turn it on."))
        elif action == "rotate":
            Webhook.objects.filter(pk=hook.pk).update(secret=new_secret())
            messages.success(request, _("New secret: every POST from now on, retries included, is signed with it."))
        elif action == "delete":
            hook.delete()
            messages.success(request, _("Webhook deleted."))
            return redirect("alerts:account")
        else:
            delivery = get_object_or_404(Delivery, pk=request.POST.get("delivery"), webhook=hook)
            services.redeliver(delivery)
            messages.success(request, _("Delivery queued again, with the same id."))
        return redirect("alerts:webhook-detail", pk=hook.pk)
