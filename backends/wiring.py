"""Build the payment gateways from settings: the composition root's one call into backends.

``PaymentSettings`` is what ``[payments]`` in the terminal's TOML file says (the lead's
``config.py`` maps it). Secrets are *references*: a file path or ``env:NAME``; they are read
here, once, into ``Secret`` wrappers, and a missing or unreadable one raises ``ConfigError``
naming the key.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from backends.http import HttpSettings, Transport
from backends.payments.alipay import AlipayConfig, AlipayGateway
from backends.payments.credentials import (
    read_apiv3_key,
    read_bytes,
    read_certificates,
    read_private_key,
    read_public_key,
    read_text_secret,
)
from backends.payments.router import PaymentRouter
from backends.payments.signing import WechatSignType
from backends.payments.wechat_pay import WechatPayConfig, WechatPayGateway
from backends.payments.wechat_pay_v3 import WechatPayV3Config, WechatPayV3Gateway
from backends.payments.wechat_v3_wire import V3Transport, verification_keys
from pos_app.domain.payment_codes import DEFAULT_RULES, CodeRule, Provider
from pos_app.errors import ConfigError
from pos_app.ports.payments import PaymentGateway


@dataclass(frozen=True, slots=True, kw_only=True)
class WechatPaySettings:
    appid: str
    mch_id: str
    api_key: str  # reference to the APIv2 key: path of a one-line file, or env:NAME
    base_url: str = "https://api.mch.weixin.qq.com"
    sign_type: str = "HMAC-SHA256"  # MD5 | HMAC-SHA256
    client_cert: str = ""  # apiclient_cert.pem (reverse, refund)
    client_key: str = ""  # apiclient_key.pem
    ca_bundle: str = ""  # empty: the system's CAs
    notify_url: str = "https://127.0.0.1/notify"
    api: str = "v2"  # v2 (XML, api_key) | v3 (JSON, the keys below; api_key unused)
    serial_no: str = ""  # v3: serial of the merchant API certificate
    private_key_file: str = ""  # v3: reference to the merchant API private key (PEM)
    apiv3_key: str = ""  # v3: reference to the APIv3 key (callbacks)
    platform_certificate_files: tuple[str, ...] = ()  # v3: WeChat Pay platform certificates
    public_key_file: str = ""  # v3: the WeChat Pay public key (PEM) ...
    public_key_id: str = ""  # ... and its id, PUB_KEY_ID_...
    store_id: str = ""  # v3 codepay scene_info.store_info.id


@dataclass(frozen=True, slots=True, kw_only=True)
class AlipaySettings:
    app_id: str
    app_private_key: str  # reference to the app's RSA private key (PEM)
    alipay_public_key: str  # reference to Alipay's public key (PEM or console Base64)
    gateway_url: str = "https://openapi.alipay.com/gateway.do"
    store_id: str = ""
    ca_bundle: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentSettings:
    wechat_pay: WechatPaySettings | None = None
    alipay: AlipaySettings | None = None
    connect_timeout_s: float = 6.0  # WXPay Java SDK: connect 6 s, read 8 s (§5.1)
    read_timeout_s: float = 8.0
    code_rules: tuple[CodeRule, ...] = DEFAULT_RULES


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _http(
    settings: PaymentSettings, url: str, ca_bundle: str, cert: tuple[str, str] | None = None
) -> HttpSettings:
    return HttpSettings(
        connect_timeout_s=settings.connect_timeout_s,
        read_timeout_s=settings.read_timeout_s,
        verify=ca_bundle or True,
        client_cert=cert,
        trust_env=not _is_loopback(url),
    )


def build_wechat_pay(
    settings: PaymentSettings, wechat: WechatPaySettings, *, transport: Transport | None = None
) -> WechatPayGateway:
    try:
        sign_type = WechatSignType(wechat.sign_type)
    except ValueError:
        raise ConfigError("payments.wechat_pay.sign_type: MD5 or HMAC-SHA256") from None
    if bool(wechat.client_cert) != bool(wechat.client_key):
        raise ConfigError("payments.wechat_pay.client_cert and client_key go together")
    cert = (wechat.client_cert, wechat.client_key) if wechat.client_cert else None
    return WechatPayGateway(
        WechatPayConfig(
            base_url=wechat.base_url,
            appid=wechat.appid,
            mch_id=wechat.mch_id,
            api_key=read_text_secret(wechat.api_key, what="payments.wechat_pay.api_key"),
            sign_type=sign_type,
            notify_url=wechat.notify_url,
            http=_http(settings, wechat.base_url, wechat.ca_bundle, cert),
        ),
        transport=transport,
    )


def build_wechat_pay_v3(
    settings: PaymentSettings, wechat: WechatPaySettings, *, transport: V3Transport | None = None
) -> WechatPayV3Gateway:
    """WeChat Pay v3: replies are verified with the platform certificates and/or the WeChat
    Pay public key configured (both during a switch-over); at least one is required."""
    what = "payments.wechat_pay"
    if not (wechat.serial_no and wechat.private_key_file and wechat.apiv3_key):
        raise ConfigError(f"{what}: api v3 needs serial_no, private_key_file and apiv3_key")
    if bool(wechat.public_key_file) != bool(wechat.public_key_id):
        raise ConfigError(f"{what}.public_key_file and public_key_id go together")
    certificates = read_certificates(
        wechat.platform_certificate_files, what=f"{what}.platform_certificate_files"
    )
    public_key = (
        read_bytes(wechat.public_key_file, what=f"{what}.public_key_file")
        if wechat.public_key_file
        else None
    )
    try:
        keys = verification_keys(certificates, public_key, wechat.public_key_id)
    except ValueError as error:
        raise ConfigError(
            f"{what}: {error} (platform_certificate_files / public_key_file)"
        ) from None
    return WechatPayV3Gateway(
        WechatPayV3Config(
            base_url=wechat.base_url,
            appid=wechat.appid,
            mchid=wechat.mch_id,
            serial_no=wechat.serial_no,
            private_key=read_private_key(wechat.private_key_file, what=f"{what}.private_key_file"),
            apiv3_key=read_apiv3_key(wechat.apiv3_key, what=f"{what}.apiv3_key"),
            verify_keys=keys,
            store_id=wechat.store_id,
            notify_url=wechat.notify_url,
            http=_http(settings, wechat.base_url, wechat.ca_bundle),
        ),
        transport=transport,
    )


def build_wechat(settings: PaymentSettings, wechat: WechatPaySettings) -> PaymentGateway:
    """The v2 or the v3 gateway, as ``payments.wechat_pay.api`` says."""
    if wechat.api == "v3":
        return build_wechat_pay_v3(settings, wechat)
    if wechat.api != "v2":
        raise ConfigError("payments.wechat_pay.api: v2 or v3")
    return build_wechat_pay(settings, wechat)


def build_alipay(
    settings: PaymentSettings, alipay: AlipaySettings, *, transport: Transport | None = None
) -> AlipayGateway:
    return AlipayGateway(
        AlipayConfig(
            gateway_url=alipay.gateway_url,
            app_id=alipay.app_id,
            app_private_key=read_private_key(
                alipay.app_private_key, what="payments.alipay.app_private_key"
            ),
            alipay_public_key=read_public_key(
                alipay.alipay_public_key, what="payments.alipay.alipay_public_key"
            ),
            store_id=alipay.store_id,
            http=_http(settings, alipay.gateway_url, alipay.ca_bundle),
        ),
        transport=transport,
    )


def build_gateways(settings: PaymentSettings) -> PaymentRouter:
    """One gateway per configured wallet. UnionPay needs an aggregator (none is built yet)."""
    gateways: dict[Provider, PaymentGateway] = {}
    if settings.wechat_pay is not None:
        gateways[Provider.WECHAT_PAY] = build_wechat(settings, settings.wechat_pay)
    if settings.alipay is not None:
        gateways[Provider.ALIPAY] = build_alipay(settings, settings.alipay)
    return PaymentRouter(gateways, rules=settings.code_rules)
