"""Talking to the outside world: email over SMTP, SMS through an HTTP gateway, webhooks.

Every sender has the same small interface (``Sender.send(Outgoing)``, raising
``SendFailed``); which ones exist is settled once at the edge (``senders_from``), and fakes
live in ``conveyor.testing``.
"""

from conveyor.outbound.base import Outgoing, Sender, Senders, SendFailed
from conveyor.outbound.configure import senders_from
from conveyor.outbound.sms import SmsGatewayConfig, SmsGatewaySender
from conveyor.outbound.smtp import SmtpConfig, SmtpSender
from conveyor.outbound.webhooks import WebhookSender

__all__ = [
    "Outgoing",
    "SendFailed",
    "Sender",
    "Senders",
    "SmsGatewayConfig",
    "SmsGatewaySender",
    "SmtpConfig",
    "SmtpSender",
    "WebhookSender",
    "senders_from",
]
