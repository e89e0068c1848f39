"""One TOML file per terminal, read once at start-up into frozen dataclasses.

Every key is documented in resources/pos.example.toml. An unknown key or a value of the wrong
kind raises ConfigError naming the key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pos_app.errors import ConfigError


@dataclass(frozen=True, slots=True)
class StoreConfig:
    code: str = "DEMO01"
    locale: str = "zh_CN"
    time_zone: str = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class TerminalConfig:
    code: str = "T01"


@dataclass(frozen=True, slots=True)
class DatabaseConfig:
    url: str = ""
    """Any SQLAlchemy URL; empty means the SQLite file pos.sqlite3 in the data folder."""


@dataclass(frozen=True, slots=True)
class ScanConfig:
    label_preset: str = "cn-price"
    labels: tuple[Mapping[str, Any], ...] = ()
    wedge_max_gap_ms: int = 50
    wedge_min_length: int = 3
    wedge_prefix: str = ""
    wedge_suffix: str = ""


@dataclass(frozen=True, slots=True)
class PrinterConfig:
    kind: str = "escpos"
    """escpos | none"""
    transport: str = "file"
    """usb | serial | network | file"""
    path: str = "receipts.escpos"
    """file transport: relative paths are inside the data folder."""
    host: str = ""
    port: int = 9100
    serial_port: str = ""
    baudrate: int = 19200
    usb_vendor: int = 0
    usb_product: int = 0
    profile: str = "80mm-gb18030"
    logo: str = ""
    """A PNG under resources/ printed at the top of each receipt; empty for none."""
    status_poll_s: int = 30
    """Ask the printer for paper and cover status this often; 0 only on demand."""


@dataclass(frozen=True, slots=True)
class ScannerConfig:
    kind: str = "wedge"
    """wedge (keyboard, see [scan]) | serial | hid (its input device, taken exclusively)"""
    port: str = ""
    """serial: the port; hid: the input device, e.g. /dev/input/by-id/usb-...-event-kbd"""
    baudrate: int = 9600
    framing: str = "8N1"
    prefix: str = ""
    suffix: str = ""
    encoding: str = "utf-8"
    idle_flush_ms: int = 300
    retry_ms: int = 2000
    exclusive: bool = True
    """hid: take the device away from the window system, so no scan reaches a text field"""


@dataclass(frozen=True, slots=True)
class ScaleConfig:
    kind: str = "simulated"
    """serial | simulated | none"""
    port: str = ""
    baudrate: int = 9600
    framing: str = "8N1"
    protocol: str = "toledo"
    """toledo | toledo-short | toledo-checksum | nci"""
    command: str = ""
    """Toledo demand mode: the indicator's print command, e.g. "P\\r\\n"."""
    timeout_ms: int = 1000
    retry_ms: int = 2000


@dataclass(frozen=True, slots=True)
class PoleDisplayConfig:
    kind: str = "none"
    """serial | none"""
    port: str = ""
    baudrate: int = 9600
    dialect: str = "escpos"
    """escpos | cd5220"""
    profile: str = "ascii"
    """ascii | gb18030 | gbk"""
    columns: int = 20
    retry_ms: int = 2000


@dataclass(frozen=True, slots=True)
class CameraConfig:
    kind: str = "none"
    """opencv | simulated | none"""
    device: int = 0
    width: int = 640
    height: int = 480
    max_decode_fps: int = 15
    images: tuple[str, ...] = ()
    """simulated: image files played as the camera's frames (relative to data_dir)."""


@dataclass(frozen=True, slots=True)
class FaceCameraConfig:
    kind: str = "none"
    """opencv | simulated | none"""
    device: int = 0
    width: int = 640
    height: int = 480
    max_fps: int = 5
    images: tuple[str, ...] = ()
    """simulated: image files played as the camera's frames (relative to data_dir)."""


@dataclass(frozen=True, slots=True)
class FacesConfig:
    """Face recognition of members: off unless the store turns it on with a consent notice."""

    enabled: bool = False
    notice_version: str = ""
    """The consent notice shown now; required when enabled."""
    default_scope: str = "terminal"
    """terminal | store: where a member's face data may be used."""
    retention_days: int = 365
    warn_at: int = 50_000
    urgent_at: int = 80_000
    filed: bool = False
    """Filed with the provincial cyberspace authority (needed from 100,000 people)."""


@dataclass(frozen=True, slots=True)
class DevicesConfig:
    printer: PrinterConfig = field(default_factory=PrinterConfig)
    scanner: ScannerConfig = field(default_factory=ScannerConfig)
    scale: ScaleConfig = field(default_factory=ScaleConfig)
    pole_display: PoleDisplayConfig = field(default_factory=PoleDisplayConfig)
    camera: CameraConfig = field(default_factory=CameraConfig)
    face_camera: FaceCameraConfig = field(default_factory=FaceCameraConfig)


@dataclass(frozen=True, slots=True)
class UiConfig:
    customer_display: bool = True
    customer_screen: str = ""
    """Name of the screen for the customer window; empty picks the second screen if any."""
    fullscreen: bool = False
    advert_after_s: int = 20
    """Seconds the customer display shows its welcome before the adverts (resources/adverts)
    take turns; 0 turns them off. The next scan, QR or payment ends them at once."""
    advert_slide_s: int = 8
    """Seconds each advert stays up."""


@dataclass(frozen=True, slots=True)
class WechatPayConfig:
    appid: str = ""
    mch_id: str = ""
    api_key: str = ""
    """A file holding the key, or env:NAME; never the key itself."""
    base_url: str = "https://api.mch.weixin.qq.com"
    sign_type: str = "HMAC-SHA256"
    client_cert: str = ""
    client_key: str = ""
    ca_bundle: str = ""
    api: str = "v2"
    """v2 (XML, api_key) | v3 (JSON: serial_no, private_key_file, apiv3_key and the WeChat
    Pay platform certificate(s) and/or public key that replies are verified with)."""
    serial_no: str = ""
    """v3: the serial number of the merchant API certificate."""
    private_key_file: str = ""
    """v3: the merchant API private key (apiclient_key.pem), or env:NAME."""
    apiv3_key: str = ""
    """v3: a file holding the APIv3 key, or env:NAME; never the key itself."""
    platform_certificate_files: tuple[str, ...] = ()
    """v3: WeChat Pay platform certificates (PEM), chosen by their serial."""
    public_key_file: str = ""
    """v3: the WeChat Pay public key (PEM), for merchants issued one instead of certificates."""
    public_key_id: str = ""
    """v3: its id, PUB_KEY_ID_..., as replies name it in Wechatpay-Serial."""
    store_id: str = ""
    """v3: the store's id sent with each payment-code payment (scene_info.store_info.id)."""


@dataclass(frozen=True, slots=True)
class AlipayConfig:
    app_id: str = ""
    app_private_key: str = ""
    """A PEM file, or env:NAME."""
    alipay_public_key: str = ""
    gateway_url: str = "https://openapi.alipay.com/gateway.do"
    store_id: str = ""
    ca_bundle: str = ""


@dataclass(frozen=True, slots=True)
class PaymentsConfig:
    training: bool = True
    """Pay through the sandbox instead of the providers (the demo store and training). A
    live store sets it to false and configures wechat_pay and/or alipay."""
    sandbox_url: str = ""
    """A running `pos sandbox`; empty runs one inside the app on loopback."""
    sandbox_state_dir: str = ""
    sandbox_wechat_api: str = "v2"
    """Training mode: the WeChat Pay API the till speaks to the sandbox, v2 or v3."""
    connect_timeout_s: float = 6.0
    read_timeout_s: float = 8.0
    wechat_pay: WechatPayConfig | None = None
    alipay: AlipayConfig | None = None


@dataclass(frozen=True, slots=True)
class AppConfig:
    data_dir: Path
    store: StoreConfig = field(default_factory=StoreConfig)
    terminal: TerminalConfig = field(default_factory=TerminalConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    scan: ScanConfig = field(default_factory=ScanConfig)
    devices: DevicesConfig = field(default_factory=DevicesConfig)
    ui: UiConfig = field(default_factory=UiConfig)
    faces: FacesConfig = field(default_factory=FacesConfig)
    payments: PaymentsConfig = field(default_factory=PaymentsConfig)
    source: Path | None = None

    @property
    def database_url(self) -> str:
        if self.database.url:
            return self.database.url
        return f"sqlite+pysqlite:///{self.data_dir / 'pos.sqlite3'}"

    def data_path(self, name: str) -> Path:
        path = Path(name)
        return path if path.is_absolute() else self.data_dir / path


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "pos"


def default_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "pos" / "pos.toml"


def load_config(path: Path | None = None, *, data_dir: Path | None = None) -> AppConfig:
    """Read ``path`` (or the default location if it exists); no file means demo defaults."""
    chosen = path or default_config_path()
    raw: dict[str, Any] = {}
    if path is not None or chosen.exists():
        try:
            raw = tomllib.loads(chosen.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {chosen}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{chosen}: {exc}") from exc
    return parse_config(raw, data_dir=data_dir, source=chosen if raw else None)


def parse_config(raw: Mapping[str, Any], *, data_dir: Path | None = None,
                 source: Path | None = None) -> AppConfig:
    top = dict(raw)
    directory = top.pop("data_dir", None)
    if directory is not None and not isinstance(directory, str):
        raise ConfigError("data_dir must be a string path")
    devices = dict(_table(top, "devices", ""))
    config = AppConfig(
        data_dir=data_dir or (Path(directory).expanduser() if directory else default_data_dir()),
        store=_section(StoreConfig, _table(top, "store", ""), "store"),
        terminal=_section(TerminalConfig, _table(top, "terminal", ""), "terminal"),
        database=_section(DatabaseConfig, _table(top, "database", ""), "database"),
        scan=_scan(_table(top, "scan", "")),
        devices=_devices(devices),
        ui=_section(UiConfig, _table(top, "ui", ""), "ui"),
        faces=_section(FacesConfig, _table(top, "faces", ""), "faces"),
        payments=_payments(_table(top, "payments", "")),
        source=source,
    )
    if config.ui.advert_after_s < 0 or config.ui.advert_slide_s < 1:
        raise ConfigError("ui.advert_after_s must be >= 0 and ui.advert_slide_s >= 1")
    if config.faces.enabled and not config.faces.notice_version:
        raise ConfigError("faces.notice_version must be set when faces.enabled")
    if config.faces.default_scope not in ("terminal", "store"):
        raise ConfigError("faces.default_scope must be terminal or store")
    leftovers = [*top, *(f"devices.{k}" for k in devices)]
    if leftovers:
        raise ConfigError(f"unknown config key: {sorted(leftovers)[0]}")
    return config


def _payments(raw: dict[str, Any]) -> PaymentsConfig:
    wechat = _table(raw, "wechat_pay", "payments.") if "wechat_pay" in raw else None
    alipay = _table(raw, "alipay", "payments.") if "alipay" in raw else None
    return replace(
        _section(PaymentsConfig, raw, "payments"),
        wechat_pay=None if wechat is None else _section(WechatPayConfig, wechat,
                                                        "payments.wechat_pay"),
        alipay=None if alipay is None else _section(AlipayConfig, alipay, "payments.alipay"))


def _devices(raw: dict[str, Any]) -> DevicesConfig:
    kinds = {"printer": PrinterConfig, "scanner": ScannerConfig, "scale": ScaleConfig,
             "pole_display": PoleDisplayConfig, "camera": CameraConfig,
             "face_camera": FaceCameraConfig}
    sections = {name: _section(kind, _table(raw, name, "devices."), f"devices.{name}")
                for name, kind in kinds.items()}
    return DevicesConfig(**sections)


def _table(raw: dict[str, Any], key: str, prefix: str) -> dict[str, Any]:
    value = raw.pop(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{prefix}{key} must be a table")
    return value


def _scan(raw: dict[str, Any]) -> ScanConfig:
    labels = raw.pop("labels", [])
    if not isinstance(labels, list) or not all(isinstance(r, dict) for r in labels):
        raise ConfigError("scan.labels must be an array of tables")
    return _section(ScanConfig, {**raw, "labels": tuple(labels)}, "scan")


def _section(kind: type[Any], raw: Mapping[str, Any], name: str) -> Any:
    defaults = kind()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if not hasattr(defaults, key):
            raise ConfigError(f"unknown config key: {name}.{key}")
        expected = type(getattr(defaults, key))
        if expected is tuple:
            values[key] = value
            continue
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(
                f"{name}.{key} must be {expected.__name__}, got {type(value).__name__}")
        values[key] = value
    return kind(**values)
