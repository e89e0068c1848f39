"""The POS's ``[payments]`` settings for a sandbox whose WeChat Pay speaks API v3.

``pos_settings_v3(url, keys)`` is ``pos_settings`` with ``payments.wechat_pay.api = "v3"``
and the v3 keys the sandbox generated (``keys_v3``). ``verify_with`` picks what the till
trusts replies from: the platform certificate, the WeChat Pay public key, or both (the
default, so it talks to a sandbox in either mode, as a merchant does while switching over).
"""

from __future__ import annotations

import dataclasses

from backends.sandbox import pos_settings
from backends.sandbox.keys import SandboxKeys
from backends.sandbox.keys_v3 import SandboxV3Keys, ensure_v3_keys
from backends.wiring import PaymentSettings, WechatPaySettings

VERIFY_WITH = ("both", "certificate", "public_key")


def wechat_v3_settings(
    base: WechatPaySettings, keys: SandboxV3Keys, *, verify_with: str = "both"
) -> WechatPaySettings:
    if verify_with not in VERIFY_WITH:
        raise ValueError(f"verify_with: one of {VERIFY_WITH}")
    certificate = verify_with in ("both", "certificate")
    public_key = verify_with in ("both", "public_key")
    return dataclasses.replace(
        base,
        api="v3",
        api_key="",
        serial_no=keys.merchant_serial,
        private_key_file=str(keys.merchant_key),
        apiv3_key=str(keys.apiv3_key),
        platform_certificate_files=(str(keys.platform_cert),) if certificate else (),
        public_key_file=str(keys.public_key) if public_key else "",
        public_key_id=keys.public_key_id if public_key else "",
        client_cert="",
        client_key="",
    )


def pos_settings_v3(
    url: str,
    keys: SandboxKeys,
    *,
    verify_with: str = "both",
    connect_timeout_s: float = 2.0,
    read_timeout_s: float = 5.0,
) -> PaymentSettings:
    """Training mode or tests with WeChat Pay on v3 (Alipay as ``pos_settings`` has it)."""
    settings = pos_settings(
        url, keys, connect_timeout_s=connect_timeout_s, read_timeout_s=read_timeout_s
    )
    assert settings.wechat_pay is not None
    v3 = wechat_v3_settings(
        settings.wechat_pay, ensure_v3_keys(keys.folder), verify_with=verify_with
    )
    return dataclasses.replace(settings, wechat_pay=v3)
