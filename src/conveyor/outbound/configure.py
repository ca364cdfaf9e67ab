"""The senders this process has, from its settings (read once, at the edge)."""

from __future__ import annotations

from conveyor.domain.notifications import Channel
from conveyor.outbound.base import Sender
from conveyor.outbound.sms import SmsGatewayConfig, SmsGatewaySender
from conveyor.outbound.smtp import SmtpConfig, SmtpSender
from conveyor.outbound.webhooks import WebhookSender
from conveyor.settings import Settings


def senders_from(settings: Settings) -> dict[Channel, Sender]:
    """Email when an SMTP host is set, SMS when a gateway URL is set; webhooks always
    (their addresses are the subscriptions themselves)."""
    senders: dict[Channel, Sender] = {
        Channel.WEBHOOK: WebhookSender(timeout=settings.webhook_timeout)
    }
    if settings.smtp_host:
        senders[Channel.EMAIL] = SmtpSender(
            SmtpConfig(
                host=settings.smtp_host,
                port=settings.smtp_port,
                sender=settings.smtp_from,
                user=settings.smtp_user,
                password=None
                if settings.smtp_password is None
                else settings.smtp_password.get_secret_value(),
                starttls=settings.smtp_starttls,
                ssl=settings.smtp_ssl,
                timeout=settings.smtp_timeout,
                allow_plain_login=settings.smtp_allow_plain_login,
            )
        )
    if settings.sms_gateway_url:
        senders[Channel.SMS] = SmsGatewaySender(
            SmsGatewayConfig(
                url=settings.sms_gateway_url,
                auth_header=settings.sms_auth_header,
                auth_value=None
                if settings.sms_auth_value is None
                else settings.sms_auth_value.get_secret_value(),
                sender=settings.sms_sender,
                timeout=settings.sms_timeout,
            )
        )
    return senders
