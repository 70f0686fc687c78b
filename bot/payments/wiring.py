"""Builds the payment parts from settings (called by the composition root, bot.app)."""

from __future__ import annotations

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.store import Store
from bot.marketing.mailerlite import MailerLite
from bot.payments.buy import PaymentsFeature, ShopSettings
from bot.payments.credits import Credits
from bot.payments.lemonsqueezy import OrderEvents, webhook_handler
from bot.payments.packs import star_packs, variant_credits
from bot.web import Handler


def payments_feature(
    settings: Settings, store: Store, clock: Clock, credits: Credits
) -> PaymentsFeature:
    shop = ShopSettings(
        star_packs=star_packs(settings.star_packs),
        checkout_url=settings.lemonsqueezy_checkout_url,
        support_contact=settings.privacy_contact,
    )
    return PaymentsFeature(store=store, clock=clock, credits=credits, settings=shop)


def lemonsqueezy_webhook(settings: Settings, store: Store, clock: Clock) -> Handler | None:
    """`POST /webhooks/lemonsqueezy`, when its signing secret is configured."""
    secret = settings.lemonsqueezy_webhook_secret
    if secret is None:
        return None
    events = OrderEvents(
        store=store, clock=clock, variants=variant_credits(settings.lemonsqueezy_variants)
    )
    return webhook_handler(events, secret.get_secret_value())


def mailing_list(settings: Settings) -> MailerLite | None:
    """MailerLite, when its API key is set; else `/marketing` is a consent flag only."""
    key = settings.mailerlite_api_key
    if key is None:
        return None
    return MailerLite(
        api_key=key.get_secret_value(), base_url=settings.mailerlite_base_url,
        group_id=settings.mailerlite_group_id, timeout_s=settings.provider_timeout_s,
    )  # fmt: skip
