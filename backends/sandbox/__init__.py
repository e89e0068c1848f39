"""A local stand-in for WeChat Pay and Alipay on loopback, speaking their real wire protocols.

It verifies the POS's signatures, signs its replies, keeps each merchant's orders so query,
reverse, refund and close agree with what happened, keeps a ledger of every charge and refund,
and behaves as the magic payment code asks (``magic.py``; docs/sandbox.md). Keys are generated
into the state folder at first run. ``pos sandbox [--port N] [--state-dir D]`` runs it.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from backends.sandbox.keys import ALIPAY_APP_ID, WECHAT_APPID, WECHAT_MCH_ID, SandboxKeys
from backends.sandbox.server import SandboxConfig, SandboxServer
from backends.wiring import AlipaySettings, PaymentSettings, WechatPaySettings

__all__ = ["SandboxConfig", "SandboxServer", "main", "pos_settings", "serve"]

DEFAULT_PORT = 8765


def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    state_dir: Path | str = "sandbox",
    config: SandboxConfig | None = None,
) -> SandboxServer:
    """A started sandbox on ``host:port`` (0 = any free port); call ``.stop()`` when done."""
    return SandboxServer(host, port, Path(state_dir), config).start()


def pos_settings(
    url: str,
    keys: SandboxKeys,
    *,
    sign_type: str = "HMAC-SHA256",
    tls: bool = False,
    connect_timeout_s: float = 2.0,
    read_timeout_s: float = 5.0,
) -> PaymentSettings:
    """The POS's ``[payments]`` settings for a sandbox at ``url`` (training mode, tests)."""
    cert = str(keys.client_cert) if tls else ""
    return PaymentSettings(
        wechat_pay=WechatPaySettings(
            appid=WECHAT_APPID,
            mch_id=WECHAT_MCH_ID,
            api_key=str(keys.wechat_api_key),
            base_url=url,
            sign_type=sign_type,
            client_cert=cert,
            client_key=str(keys.client_key) if tls else "",
            ca_bundle=str(keys.ca_cert) if tls else "",
        ),
        alipay=AlipaySettings(
            app_id=ALIPAY_APP_ID,
            app_private_key=str(keys.alipay_app_private_key),
            alipay_public_key=str(keys.alipay_public_key),
            gateway_url=f"{url}/gateway.do",
            ca_bundle=str(keys.ca_cert) if tls else "",
        ),
        connect_timeout_s=connect_timeout_s,
        read_timeout_s=read_timeout_s,
    )


def _toml(url: str, keys: SandboxKeys) -> str:
    return "\n".join(
        [
            "[payments.wechat_pay]",
            f'base_url = "{url}"',
            f'appid = "{WECHAT_APPID}"',
            f'mch_id = "{WECHAT_MCH_ID}"',
            f'api_key = "{keys.wechat_api_key}"',
            "",
            "[payments.alipay]",
            f'gateway_url = "{url}/gateway.do"',
            f'app_id = "{ALIPAY_APP_ID}"',
            f'app_private_key = "{keys.alipay_app_private_key}"',
            f'alipay_public_key = "{keys.alipay_public_key}"',
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """``pos sandbox``: run until Ctrl-C, printing the config that points a POS at it."""
    parser = argparse.ArgumentParser(prog="pos sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument(
        "--state-dir", type=Path, default=Path.home() / ".local" / "share" / "pos" / "sandbox"
    )
    parser.add_argument("--tls", action="store_true", help="HTTPS; /secapi/ needs the client cert")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    server = SandboxServer(args.host, args.port, args.state_dir, SandboxConfig(tls=args.tls))
    print(f"payment sandbox on {server.url}; keys in {args.state_dir}", flush=True)
    print(_toml(server.url, server.keys), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
