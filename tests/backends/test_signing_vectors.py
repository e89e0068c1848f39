"""Every test vector of shared/protocols/payments.md §7, signing and verification, plus
negatives (one flipped byte fails) and the parsing rules the verifiers depend on.

Keys are the published test keys the brief names. Their PEM armour is put back at run time
(as wechatpay-go does with its "TESTING KEY" marker) so secret scanners do not flag this
file, and each rebuilt file is checked against the sha256 the brief pins.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from backends.payments import signing as s

V2_KEY = "192006250b4c09247ec02edce69f6a2d"


def _armour(kind: str, body: str, *, final_newline: bool) -> bytes:
    dashes = "-" * 5
    text = f"{dashes}BEGIN {kind}{dashes}\n{body}\n{dashes}END {kind}{dashes}"
    return (text + ("\n" if final_newline else "")).encode()


# wechatpay-go utils/sign_test.go (blob 4f572a4e) testAlgorithmPrivateKeyStr, PKCS#8.
WECHATPAY_GO_KEY = _armour(
    "PRIVATE KEY",
    (
        "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDZUJN33V+dSfvd\n"
        "fL0Mu+39XrZNXFFMQSy1V15FpncHeV47SmV0TzTqZc7hHB0ddqAdDi8Z5k3TKqb7\n"
        "6sOwYr5TcAfuR6PIPaleyE0/0KrljBum2Isa2Nyq7Dgc3ElBQ6YN4l/a+DpvKaz1\n"
        "FSKmKrhLNskqokWVSlu4g8OlKlbPXQ9ibII14MZRQrrkTmHYHzfi7GXXM0thAKuR\n"
        "0HNvyhTHBh4/lrYM3GaMvmWwkwvsMavnOex6+eioZHBOb1/EIZ/LzC6zuHArPpyW\n"
        "3daGaZ1rtQB1vVzTyERAVVFsXXgBHvfFud3w3ShsJYk8JvMwK2RpJ5/gV0QSARcm\n"
        "LDRUAlPzAgMBAAECggEBAMc7rDeUaXiWv6bMGbZ3BTXpg1FhdddnWUnYE8HfX/km\n"
        "OFI7XtBHXcgYFpcjYz4D5787pcsk7ezPidAj58zqenuclmjKnUmT3pfbI5eCA2v4\n"
        "C9HnbYDrmUPK1ZcADtka4D6ScDccpNYNa1g2TFHzkIrEa6H+q7S3O2fqxY/DRVtN\n"
        "0JIXalBb8daaqL5QVzSmM2BMVnHy+YITJWIkP2a3pKs9C0W65JGDsnG0wVrHinHF\n"
        "+cnhFZIbaPEI//DAFMc9NkrWOKVRTEgcCUxCFaHOZVNxDWZD7A2ZfJB2rK6eg//y\n"
        "gEiFDR2h6mTaDowMB4YF2n2dsIO4/dCG8vPHI20jn4ECgYEA/ZGu6lEMlO0XZnam\n"
        "AZGtiNgLcCfM/C2ZERZE7QTRPZH1WdK92Al9ndldsswFw4baJrJLCmghjF/iG4zi\n"
        "hhBvLnOLksnZUfjdumxoHDWXo2QBWbI5QsWIE7AuTiWgWj1I7X4fCXSQf6i+M/y2\n"
        "6TogQ7d0ANpZFyOkTNMn/tiJvLECgYEA22XqlamG/yfAGWery5KNH2DGlTIyd6xJ\n"
        "WtJ9j3jU99lZ0bCQ5xhiBbU9ImxCi3zgTsoqLWgA/p00HhNFNoUcTl9ofc0G3zwT\n"
        "D1y0ZzcnVKxGJdZ6ohW52V0hJStAigtjYAsUgjm7//FH7PiQDBDP1Wa6xSRkDQU/\n"
        "aSbQxvEE8+MCgYEA3bb8krW7opyM0XL9RHH0oqsFlVO30Oit5lrqebS0oHl3Zsr2\n"
        "ZGgoBlWBsEzk3UqUhTFwm/DhJLTSJ/TQPRkxnhQ5/mewNhS9C7yua7wQkzVmWN+V\n"
        "YeUGTvDGDF6qDz12/vJAgSwDDRym8x4NcXD5tTw7mmNRcwIfL22SkysThIECgYAV\n"
        "BgccoEoXWS/HP2/u6fQr9ZIR6eV8Ij5FPbZacTG3LlS1Cz5XZra95UgebFFUHHtC\n"
        "EY1JHJY7z8SWvTH8r3Su7eWNaIAoFBGffzqqSVazfm6aYZsOvRY6BfqPHT3p/H1h\n"
        "Tq6AbBffxrcltgvXnCTORjHPglU0CjSxVs7awW3AEQKBgB5WtaC8VLROM7rkfVIq\n"
        "+RXqE5vtJfa3e3N7W3RqxKp4zHFAPfr82FK5CX2bppEaxY7SEZVvVInKDc5gKdG/\n"
        "jWNRBmvvftZhY59PILHO2X5vO4FXh7suEjy6VIh0gsnK36mmRboYIBGsNuDHjXLe\n"
        "BDa+8mDLkWu5nHEhOxy2JJZl\n"
    ).rstrip("\n"),
    final_newline=True,
)
# alipay-sdk-nodejs-all test/fixtures/app-private-key.pem (blob fda06506), PKCS#1, one line.
ALIPAY_NODE_APP_KEY = _armour(
    "RSA PRIVATE KEY",
    (
        "MIIEowIBAAKCAQEAhL3pWP55B1fFkvYOOtcfOEUhvBodHpLnc9KmuAU4H8V+ocyKTckacBhJrwIT"
        "8ILMzpflfqpzl+dvpJIsx3IbNB1Pmy0V949+vCoiBEa0Maw1dgJfIwghrsKL41wqzeaFqC6Cehie"
        "fvwTKrS8zxIK1gDHipsimNsDbqCYmojDxhyorO4CC0iXld+1+LQxajf9ZdG1nLDd9dgVGiMkEDUS"
        "GXKCt6NpoDHp/6ptAcYSvnn5W4YUNWdy+wVxT0jyrbP1gNUDG1DVtFLrZXNQ9vY5wRyaix8vUccQ"
        "3s5o186tPgpup++lU3v2NgzybF9JzJWPdanDv5cJcJyFe43LNdD9mwIDAQABAoIBAE6ohsUgjjFm"
        "toIeYlJFtY9Pj+z6AHVkkdiVZAu5tAdHrYFNRktPtuXjzo3xCkXEDH8DjY+gi7zg/Mwlfnl1SV95"
        "WvnWHqVDF9OCmAO2rgKdTFSwlRWaNPNs/x3sOMUoK918Kf8V5Z3T27u7vAJsa5VigtvEkBzJ81+z"
        "tJomHvSemrMGoQNPSWenaRHsxbkTtvHWOHLLYjzahFDUbzVx2QdVeBPXPOnG4Nkk1uIbYasqSJNU"
        "AlaSCshpgIJQ3M7I1Cef7hcLcOUn9OamkUXipEQRKNu6XhZ32yZbhkcvM7irtWtLRaPOj98U7/Fu"
        "l0W1qM2/C1jTJ3qYP1CBrZKsW8ECgYEA3b/hneLaseoE6ATFWhjrdQY9VPjJjz7VQGuDzy3lLDiR"
        "L2/9KrhU1HyAYQFaC03+dZj9Nr2GDua88vrdwPtOZoe5REn+U+YyAHhNsqKYGoVL/RbyHagmDDEJ"
        "fhPOv3tMElI9hZlfsF5QRsqS9CnhLej7GJNA5wEhXBKeJL54JTsCgYEAmT6b5F2wy2jBi7o9q6Io"
        "+AFOcqEzsf0cpoeAJQU3YRThkQZoCDmcvfh21jl7A5538YulVo8xnPcSeq3SzmW9p34HW7UNZaI4"
        "ZeH9flecimNuEmWAM6pJ3jnuJwFSZSs8rQOdRh5EkLDHkswssQ0jrUaSJPzKrc4Vpvt9RadlgyEC"
        "gYEAgOMic+6DRp3KtEDxpGiPkrlJtLXWEZhnwsW7GxSF+6n1WSkycT4qsEadJ8TtXVy75gZCRyrp"
        "XIfokyIU+jIXY6jHmlWXqZRGw9co8gdneSK5BCXuHCa71qI57jn9FXbIxG1grOJ0p8Jpznu35orh"
        "AxpDuAj+1EXn6eg4WwsKMjkCgYBaAzOQdRPmtvaQu2mECjEkU6gfnt59mt4cVxUHKcQ4qwo/pFKx"
        "Gh4eW/Z5qLPAEXIEmHEaoeuTdnENTFK513sKCfYKgROIcjvMZG0ArDeP9g1ukt41+r1+4eooURdz"
        "w2zVd30G9bpyftQLPxC1QrGFEyG+xhnK83U2axxPMJ9o4QKBgAcDHoC8boYYJ7fk72RbJv4G6uGK"
        "kdPTeu1TzwMHeTB6uEa0jTKHwxc83O0rYVgBVjh2WckEU18zhsAT/YjpNyq5wl2ZXzoeHrAANTZm"
        "tVxBCEDmkwy535hjzo4NIvDJoUoAysfxR8+/e9MGDJxYoHsOVnXx5JUWRO0XbB5F2o1Y"
    ),
    final_newline=False,
)
# alipay-sdk-nodejs-all "notifyAlipayPublicKeyV1" (§7.3), Base64 DER as the console shows it.
ALIPAY_NOTIFY_KEY_V1 = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqObrdC7hrgAVM98tK0nv3hSQRGGKT4lBsQjHiGjeYZjO"
    "PIPHR5knm2jnnz/YGIXIofVHkA/tAlBAd5DrY7YpvI4tP5EONLtZKC2ghBMx7McI2wRD0xiqzxOQr1FuhZGJ8/AU"
    "okBzJrzY+aGX2xcOrxFYRlFilvVLTXg4LWjR1tdPkO6+i7wQZAIVMClPkwVRZEbaERRHlKqTzv2gGv5rDU8gRoe1"
    "LeaN+6BlbTqHWkQcNCUNrA8C6l17XAXGKDsm/9TFWwO8EPHHHCaQdjtV5/FdcWIt+L8SR1ss7EXTjYDFtxcKVv9r"
    "EoY1lX8T4mX+GbXfZHraG5NCF1+XioL5JwIDAQAB"
)
# alipay-sdk-nodejs-all test/fixtures/alipay-notify-sign-public-key-v2.pem (§7.3b).
ALIPAY_NOTIFY_KEY_V2 = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAk6DCsBIUhWriFohzRV8Fic6oQWNnLKKILNk97VU5qcHE"
    "uxYzCujKoyva5gy1170mFJw4IcgJF8AyS7iDUwzAwF4Pp9CpWxDhUhe7mdQJhjBmvTcPLGFFrzlj6unO5lAcbdwa"
    "xPUtSxOaNxPJGrTK/wnKQSbjTMMltp1J68q2Tfgrsn/NdZ6lrxO9rvmky8kowqaH5NjntyHO59jCGabMj5sI14z8"
    "N61wB/QuIJrDuzIPMPrSNbq0cOWcSCDG09oUHTp9fk7suDB8UiFcmVTXOvK3d4HbeX8V9YsEMxrwxEoYgRRj6K2q"
    "rC6oxw480cqf2ueumCmHg6xrcgkyXK81hwIDAQAB"
)
# alipay-sdk-nodejs-all test/fixtures/alipay-public-key.pem (§7.4).
ALIPAY_RESPONSE_KEY = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAk7LzhmMa2c4qQd4fqAqenfbuFoA7stPKvoS1LrZEsVnO"
    "OGUUjwoa1oU9xsSPjcOWhIerU/VAN4J95GIAXx59ipcleIyfLn2FhHXPgLJpvo+b2jJFyn/1/DbeJDh+0yDVAOf5"
    "0Z7HhI0mdUhFMkXlT7BU0ZMtJf/TmISFEfhDU/w6qFd6D42L97byAkq0K6LroglSVF24GqJEa7hSeUIkZWj7Rasy"
    "kXrc2uVJ1+ejkXE0LyPxa2AHykMGbJLf5SiZvaNzUZgnKIR36mLOHpQ/2JCXxhXZYUWHzy0kMH54JcUEeksFWBYL"
    "GvLjV1phbcUIc3Q76tIuqApY6E222OoZZQIDAQAB"
)


def _flip(text: str, at: int = 10) -> str:
    """The same text with one character changed (a flipped byte on the wire)."""
    swapped = "B" if text[at] != "B" else "C"
    return text[:at] + swapped + text[at + 1 :]


def _flip_bytes(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


@pytest.fixture(scope="module")
def wechat_key() -> rsa.RSAPrivateKey:
    return s.load_private_key(WECHATPAY_GO_KEY)


@pytest.fixture(scope="module")
def alipay_app_key() -> rsa.RSAPrivateKey:
    return s.load_private_key(ALIPAY_NODE_APP_KEY)


def test_embedded_keys_are_byte_for_byte_the_files_the_brief_pins() -> None:
    assert hashlib.sha256(WECHATPAY_GO_KEY).hexdigest() == (
        "9e30ee0573dbc49bca613b445cdde1fcf109c28ba685b07b44a25fe34e7024f8"
    )
    assert hashlib.sha256(ALIPAY_NODE_APP_KEY).hexdigest() == (
        "4131472042aa275e979c3137310cdd5c54c8067d7658d57b1be25ede584a7baa"
    )


# --- §7.1, §7.2 WeChat Pay v2 ---------------------------------------------------------------

OFFICIAL_PARAMS = {
    "appid": "wxd930ea5d5a258f4f",
    "mch_id": "10000100",
    "device_info": "1000",
    "body": "test",
    "nonce_str": "ibuaiVcKdpRxkhJA",
}
DERIVED_PARAMS = {
    "appid": "wx2421b1c4370ec43b",
    "mch_id": "10000100",
    "nonce_str": "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
    "body": "门店收银-测试",
    "out_trade_no": "POS20240101000001",
    "total_fee": "1",
    "spbill_create_ip": "127.0.0.1",
    "auth_code": "134567890123456789",
    "attach": "",
}
WECHATPY_PARAMS = {"test1": "test1", "test2": "test2"}
MD5, HMAC = s.WechatSignType.MD5, s.WechatSignType.HMAC_SHA256

V2_VECTORS = [
    pytest.param(OFFICIAL_PARAMS, MD5, "9A0A8659F005D6984697E2CA0A9CF3B7", id="7.1-md5"),
    pytest.param(
        OFFICIAL_PARAMS,
        HMAC,
        "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6",
        id="7.1-hmac",
    ),
    pytest.param(WECHATPY_PARAMS, MD5, "1E3A8D73B5A4AEE787C0F68B5DAB8520", id="7.2-wechatpy-md5"),
    pytest.param(
        WECHATPY_PARAMS,
        HMAC,
        "EDAC6D70D2FDF5A2382F8204FC96A1918017E46ACC5297F565ED1A7610ACF659",
        id="7.2-wechatpy-hmac",
    ),
    pytest.param(DERIVED_PARAMS, MD5, "8ACC463E490B5CBA537E2FFC0C83556F", id="7.2-derived-md5"),
    pytest.param(
        DERIVED_PARAMS,
        HMAC,
        "C1C267087151ADA0592A01634B49F1A34AA921EB491F9D7796A91EEF2DCCBFF6",
        id="7.2-derived-hmac",
    ),
]


def test_v2_string_a_is_sorted_raw_and_skips_empty_values() -> None:
    assert s.wechat_v2_string_a(OFFICIAL_PARAMS) == (
        "appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100"
        "&nonce_str=ibuaiVcKdpRxkhJA"
    )
    assert s.wechat_v2_string_a(DERIVED_PARAMS) == (
        "appid=wx2421b1c4370ec43b&auth_code=134567890123456789&body=门店收银-测试"
        "&mch_id=10000100&nonce_str=5K8264ILTKCH16CQ2502SI8ZNMTM67VS"
        "&out_trade_no=POS20240101000001&spbill_create_ip=127.0.0.1&total_fee=1"
    )


@pytest.mark.parametrize(("params", "sign_type", "expected"), V2_VECTORS)
def test_v2_signature_matches_the_vector(
    params: dict[str, str], sign_type: s.WechatSignType, expected: str
) -> None:
    assert s.wechat_v2_sign(params, V2_KEY, sign_type) == expected


@pytest.mark.parametrize(("params", "sign_type", "expected"), V2_VECTORS)
def test_v2_signed_reply_verifies_and_a_flipped_byte_does_not(
    params: dict[str, str], sign_type: s.WechatSignType, expected: str
) -> None:
    signed = {**params, "sign": expected}
    assert s.wechat_v2_verify(signed, V2_KEY, sign_type)
    assert not s.wechat_v2_verify({**signed, "sign": _flip(expected)}, V2_KEY, sign_type)
    tampered = {**signed, "mch_id": "10000101"}
    assert not s.wechat_v2_verify(tampered, V2_KEY, sign_type)
    other = HMAC if sign_type is MD5 else MD5
    assert not s.wechat_v2_verify(signed, V2_KEY, other)


def test_v2_verification_covers_fields_wechat_adds_later() -> None:
    reply = {**OFFICIAL_PARAMS, "new_field": "x", "sign": "9A0A8659F005D6984697E2CA0A9CF3B7"}
    assert not s.wechat_v2_verify(reply, V2_KEY, MD5)
    reply["sign"] = s.wechat_v2_sign(reply, V2_KEY)
    assert s.wechat_v2_verify(reply, V2_KEY, MD5)


def test_v2_reply_without_sign_never_verifies() -> None:
    assert not s.wechat_v2_verify({"return_code": "FAIL", "return_msg": "签名错误"}, V2_KEY, MD5)


def test_v2_sign_type_is_part_of_the_signed_text() -> None:
    with_type = {**OFFICIAL_PARAMS, "sign_type": "HMAC-SHA256"}
    assert s.wechat_v2_sign(with_type, V2_KEY, HMAC) != s.wechat_v2_sign(
        OFFICIAL_PARAMS, V2_KEY, HMAC
    )


# --- v2 XML ----------------------------------------------------------------------------------


def test_v2_xml_round_trips_chinese_and_cdata_terminators() -> None:
    params = {**DERIVED_PARAMS, "detail": '{"a":"]]>"}', "sign": "X"}
    assert s.wechat_v2_from_xml(s.wechat_v2_to_xml(params)) == params


def test_v2_xml_reads_integers_without_cdata() -> None:
    body = b"<xml><return_code><![CDATA[SUCCESS]]></return_code><total_fee>1</total_fee></xml>"
    assert s.wechat_v2_from_xml(body) == {"return_code": "SUCCESS", "total_fee": "1"}


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<xml><x>&b;</x></xml>",
        b'<!doctype xml SYSTEM "file:///etc/passwd"><xml><x>1</x></xml>',
        b"<xml><x><y>1</y></x></xml>",
        b"<xml><x>1</x><x>2</x></xml>",
        b"<html><x>1</x></html>",
        b"<xml><x>1</x>",
        b"<xml>" + b"<x>1</x>" * 10_000 + b"</xml>",
        '<!DOCTYPE xml [<!ENTITY a "x">]><xml><x>&a;</x></xml>'.encode("utf-16"),
    ],
    ids=[
        "entities",
        "external-dtd",
        "nested",
        "repeated",
        "wrong-root",
        "truncated",
        "huge",
        "utf16",
    ],
)
def test_v2_xml_refuses_what_it_cannot_read_safely(body: bytes) -> None:
    with pytest.raises(s.MalformedMessage):
        s.wechat_v2_from_xml(body)


def test_v2_xml_refuses_element_names_that_are_not_names() -> None:
    with pytest.raises(ValueError):
        s.wechat_v2_to_xml({"a><b": "1"})


# --- §7.3, §7.3b Alipay notifications --------------------------------------------------------

TRADE_NOTIFY = {
    "app_id": "2019073166072302",
    "auth_app_id": "2019073166072302",
    "buyer_id": "2088102534368455",
    "buyer_logon_id": "xud***@126.com",
    "buyer_pay_amount": "0.10",
    "charset": "utf-8",
    "fund_bill_list": '[{"amount":"0.10","fundChannel":"ALIPAYACCOUNT"}]',
    "gmt_create": "2019-08-15 15:56:22",
    "gmt_payment": "2019-08-15 15:56:24",
    "invoice_amount": "0.10",
    "notify_id": "2019081500222155624068450559358070",
    "notify_time": "2019-08-15 15:56:25",
    "notify_type": "trade_status_sync",
    "out_trade_no": "20190815155618536-564-57",
    "point_amount": "0.00",
    "receipt_amount": "0.10",
    "seller_email": "z97-yuquerevenue@service.aliyun.com",
    "seller_id": "2088531891668739",
    "subject": "语雀空间 500人规模",
    "total_amount": "0.10",
    "trade_no": "2019081522001468450512505578",
    "trade_status": "TRADE_SUCCESS",
    "version": "1.0",
    "sign_type": "RSA2",
    "sign": "QfTb8tqE1BMhS5qAnXtvsF3/jBkEvu9q9en0pdbBUDDjvKycZhQb7h8GDs4FKfi049PynaNuatxSgLb/nL"
    "WZpXyyh0LEWdK2S6Ri7nPwrVgOs08zugLO20vOQz44y3ti2Ncm8/wZts1Fr2gZ7pShnVX3d1B50hbsXnOb"
    "T1r/U8ONNQjWXd0HIul4TG+Q3fm3svmSvFEy0WnzuhcyHPX5Gm4ELNctL6Qd5YniGJFNcc7kopHYtI/XD9"
    "YCKCH6Ct02rzUs9i11C9CsadtZn+WhxF26Dqt9sGEFajkJ8cxUTLi8+VCpLHsgPE8P0y095uQcDdK0YjCh"
    "4x7wVSov+lrmOQ==",
}
SERVICEMARKET_NOTIFY = {
    "app_id": "2017122801303261",
    "charset": "UTF-8",
    "commodity_order_id": "2019030800000018079639",
    "contactor": "技术支持测试的公司",
    "merchant_pid": "2088721996721370",
    "method": "alipay.open.servicemarket.order.notify",
    "name": "技术支持测试的公司",
    "notify_id": "2019030800222102023008121054923345",
    "notify_time": "2019-03-08 10:20:23",
    "notify_type": "servicemarket_order_notify",
    "order_item_num": "1",
    "order_ticket": "29b1c37d99ab48c5bd5bdaeaeaefbB37",
    "order_time": "2019-03-08 10:20:08",
    "phone": "17826894615",
    "service_code": "58621634",
    "sign_type": "RSA2",
    "timestamp": "2019-03-08 10:20:23",
    "title": "麦禾商城模版",
    "total_price": "0.00",
    "version": "1.0",
    "sign": "MsK5SCw8oqLw4f0hiNSd5OVGXxBY3wnQeT8vn5PklJSZFWSZbK4hQbNvkp4ZezeXQH514cEv0ul6Qow8yh"
    "6e6yM06LfEL+EZjcpZ0nxzFGRNQ5qq2AUc1OaXQdk92AGvxh+Iq4NGpPQFBd4D8EBJa3NJd8+czMfQskceo"
    "sOQFqUtLQMYa5DPs+VpN7VM5BdXjaVIuKn5d9Wm2B9dI9ObIM+YRySDkZZPv14DVmUvcrcqJfOR8aHvtSd7"
    "B4l92wUQPQgQKNcOQho7xOHS/Bk+Y74AZL2y7TkNmdDoq9OGsThuF5tDW9rI9nVwXxOtsuB+bstra+W7aw9"
    "x9DvkKgdSRw==",
}


def test_7_3_trade_notification_verifies_with_sign_type_removed() -> None:
    key = s.load_public_key(ALIPAY_NOTIFY_KEY_V1)
    assert s.alipay_verify_notify(key, TRADE_NOTIFY)
    signed_text = s.alipay_sign_content(TRADE_NOTIFY, exclude=frozenset({"sign_type"}))
    assert signed_text.startswith("app_id=2019073166072302&auth_app_id=")
    fund_bill_list = '[{"amount":"0.10","fundChannel":"ALIPAYACCOUNT"}]'
    assert f"&fund_bill_list={fund_bill_list}&" in signed_text
    assert s.rsa_sha256_verify(key, signed_text.encode(), TRADE_NOTIFY["sign"])
    with_type = s.alipay_sign_content(TRADE_NOTIFY)
    assert not s.rsa_sha256_verify(key, with_type.encode(), TRADE_NOTIFY["sign"])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("total_amount", "0.11"),
        ("trade_status", "TRADE_CLOSED"),
        ("subject", "语雀空间 501人规模"),
    ],
)
def test_7_3_altered_notification_fails(field: str, value: str) -> None:
    key = s.load_public_key(ALIPAY_NOTIFY_KEY_V1)
    assert not s.alipay_verify_notify(key, {**TRADE_NOTIFY, field: value})
    assert not s.alipay_verify_notify(key, {**TRADE_NOTIFY, "sign": _flip(TRADE_NOTIFY["sign"])})


def test_7_3b_servicemarket_notification_verifies_only_with_sign_type_kept() -> None:
    key = s.load_public_key(ALIPAY_NOTIFY_KEY_V2)
    assert s.alipay_verify_notify(key, SERVICEMARKET_NOTIFY)
    kept = s.alipay_sign_content(SERVICEMARKET_NOTIFY)
    removed = s.alipay_sign_content(SERVICEMARKET_NOTIFY, exclude=frozenset({"sign_type"}))
    assert s.rsa_sha256_verify(key, kept.encode(), SERVICEMARKET_NOTIFY["sign"])
    assert not s.rsa_sha256_verify(key, removed.encode(), SERVICEMARKET_NOTIFY["sign"])
    # Node SDK case "without sign_type arguments verify success": RSA2 is assumed.
    without = {k: v for k, v in SERVICEMARKET_NOTIFY.items() if k != "sign_type"}
    assert s.alipay_verify_notify(key, without)


def test_7_3b_altered_servicemarket_notification_fails() -> None:
    key = s.load_public_key(ALIPAY_NOTIFY_KEY_V2)
    assert not s.alipay_verify_notify(key, {**SERVICEMARKET_NOTIFY, "service_code": "58621634111"})
    assert not s.alipay_verify_notify(key, {**SERVICEMARKET_NOTIFY, "sign": ""})


def test_notification_signed_by_another_key_fails() -> None:
    assert not s.alipay_verify_notify(s.load_public_key(ALIPAY_NOTIFY_KEY_V2), TRADE_NOTIFY)


# --- §7.4 Alipay synchronous reply over the raw substring ------------------------------------

RAW_REPLY = (
    '{"alipay_open_file_upload_response":{"code":"10000","msg":"Success",'
    '"file_id":"CAxAToWB1JsAAAAAAAAAAAAADgSLAQBr"},"sign":"F+LDzpTNiavn7xVZPGuPCSSVRSmWzJGgtuji6t'
    "VELGEaqMaNj0jRKXUEr5nloZJBBmwEnddOyCjjepMmrTKTvoOqQ0Efxpr/R1iEeHTHVbb/Q8TTh6Up5gHJDkILdaWS2q"
    "1cWeQ6VT+HQY9P3WRXS7uhILHuDODIhpAyCu5KhWGt0rMCIG+Im6NODJP2oohtSCtmTFXg58HH587Z2y2bdbjzOxLvzD"
    "9IrU1imghXQ2S/Q+wMIvRk9on6cWnBLkrNvJKapA2ReNGWOwyuASvB9zDVzhMPbR+3mfRGkVDxsq5HYLjBKGskJMXHw0"
    'HuugZij6ScRuaLPODhmHwr/pJ9yw=="}'
)
UPLOAD = "alipay.open.file.upload"


def test_7_4_reply_verifies_over_the_raw_response_text() -> None:
    reply = s.alipay_split_reply(RAW_REPLY.encode(), UPLOAD)
    assert reply.key == "alipay_open_file_upload_response"
    assert reply.content == (
        '{"code":"10000","msg":"Success","file_id":"CAxAToWB1JsAAAAAAAAAAAAADgSLAQBr"}'
    )
    assert reply.body["code"] == "10000"
    assert s.alipay_verify_reply(s.load_public_key(ALIPAY_RESPONSE_KEY), reply)


def test_7_4_reply_with_a_flipped_byte_or_signature_fails() -> None:
    key = s.load_public_key(ALIPAY_RESPONSE_KEY)
    altered = RAW_REPLY.replace('"code":"10000"', '"code":"10001"')
    assert not s.alipay_verify_reply(key, s.alipay_split_reply(altered, UPLOAD))
    reply = s.alipay_split_reply(RAW_REPLY, UPLOAD)
    assert reply.sign is not None
    forged = s.AlipayReply(reply.key, reply.content, _flip(reply.sign), None, reply.body)
    assert not s.alipay_verify_reply(key, forged)
    # Re-serialising the parsed JSON (spaces after separators) is exactly what must not happen.
    respaced = s.AlipayReply(reply.key, json.dumps(reply.body), reply.sign, None, reply.body)
    assert not s.alipay_verify_reply(key, respaced)


def test_reply_text_keeps_escapes_and_braces_inside_strings(
    alipay_app_key: rsa.RSAPrivateKey,
) -> None:
    content = '{"code":"10000","msg":"a}b{\\"c","url":"https:\\/\\/qr.alipay.com\\/bax1"}'
    signature = s.rsa_sha256_sign(alipay_app_key, content.encode())
    raw = (
        f' {{ "alipay_trade_precreate_response" : {content} , "alipay_cert_sn":"abc",'
        f'"sign":"{signature}"}}'
    )
    reply = s.alipay_split_reply(raw, "alipay.trade.precreate")
    assert reply.content == content
    assert reply.cert_sn == "abc"
    assert reply.body["url"] == "https://qr.alipay.com/bax1"
    assert s.alipay_verify_reply(alipay_app_key.public_key(), reply)


def test_gateway_error_reply_is_found_and_unsigned_never_verifies(
    alipay_app_key: rsa.RSAPrivateKey,
) -> None:
    raw = (
        '{"error_response":{"code":"40002","msg":"Invalid Arguments",'
        '"sub_code":"isv.invalid-app-id"}}'
    )
    reply = s.alipay_split_reply(raw, "alipay.trade.pay")
    assert reply.key == "error_response" and reply.sign is None
    assert not s.alipay_verify_reply(alipay_app_key.public_key(), reply)


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff{}",
        "",
        "[]",
        '{"alipay_trade_pay_response":{"code":"10000"}',
        '{"other":{}}',
        '{"alipay_trade_pay_response":{},"alipay_trade_pay_response":{}}',
        '{"alipay_trade_pay_response":"x"}',
        '{"alipay_trade_pay_response":{},}',
    ],
)
def test_malformed_replies_are_errors_not_outcomes(raw: str) -> None:
    with pytest.raises(s.MalformedMessage):
        s.alipay_split_reply(raw, "alipay.trade.pay")


# --- §7.5 Alipay RSA2 request signing ---------------------------------------------------------

ALIPAY_COMMON = {
    "app_id": "2014072300007148",
    "charset": "utf-8",
    "format": "JSON",
    "method": "alipay.trade.pay",
    "sign_type": "RSA2",
    "version": "1.0",
}
VECTOR_A = {
    **ALIPAY_COMMON,
    "timestamp": "2014-07-24 03:07:50",
    "biz_content": (
        '{"out_trade_no":"20150320010101001","scene":"bar_code","auth_code":"28763443825664394",'
        '"subject":"Iphone6 16G","total_amount":"88.88"}'
    ),
}
BIZ_B = {
    "out_trade_no": "POS20240101000001",
    "scene": "bar_code",
    "auth_code": "286925412345678901",
    "subject": "门店收银-测试",
    "total_amount": "0.01",
}
VECTOR_B = {
    **ALIPAY_COMMON,
    "timestamp": "2024-01-01 12:00:00",
    "biz_content": json.dumps(BIZ_B, separators=(",", ":"), ensure_ascii=False),
}
SIGN_A = (
    "UBRfD1n2UCyoXMBRK7zCRCRLW4GmKJvDqMPj41RH3GR4i6nu3ghun/jS6VI2YE5IeNH1j7+m6ei7vpsf"
    "NY+kG+ZuYeFZw0NGmGu59ikCgpmgmbIet6iVhbKu387qgQAMTxPy4eoNnaG9BNMLaj0F1Spoa5jWV0HA"
    "jeuR36ha2f5FJMphR8SlQqg3pc9e+jQJT8jvhVVBt1aLjV3uFbSptX2rJ8uyP0SCw+tYWnd1NAglNKFM"
    "vOAY0ircq57lIKFBtImbFm2uaD6Mm1QbqHb6Yt0mbowhQnouORJhv0xv9aCjnVbdCjz/G2zYYi/79BX2"
    "Zr+OCsdZLYRfAtwYD0UUtQ=="
)
SIGN_B = (
    "aFNuxCTEcAxwOYxe81ISCsKCKTsV3PO8GanHX+Y3+yBSzK9z0Ah61XUNMIN708ejmc2WY2/s9yFedqGV"
    "QwQWd9yDxVYNFE5ecAtIEYVdBXkAU1e/bxwkgICLnWP23hQP/ETr3z+ef2CjXlu9sg0N9c9q3928BMiS"
    "vItnS9IaeMZzFP3DLauDHCj9ERhJ5VwOzmcJdllrUix7bt4hcT6Ot2idlha3bcmpOPSNdeJu1GIuqUq2"
    "HvcJN02kr0gQfP2h784NZUIc4FhNprm7LI0/Qbs2fyqHiCOv8Iy6JdyjcrW6fO+4sNQFKBsQhm+bO3bz"
    "PVES5ioJSZBVzUbmYD0vdA=="
)
ALIPAY_VECTORS = [
    pytest.param(VECTOR_A, SIGN_A, id="7.5-A"),
    pytest.param(VECTOR_B, SIGN_B, id="7.5-B"),
]


def test_7_5_canonical_string_keeps_sign_type_and_drops_sign_and_empty_values() -> None:
    assert s.alipay_sign_content({**VECTOR_A, "sign": "x", "notify_url": ""}) == (
        'app_id=2014072300007148&biz_content={"out_trade_no":"20150320010101001",'
        '"scene":"bar_code","auth_code":"28763443825664394","subject":"Iphone6 16G",'
        '"total_amount":"88.88"}&charset=utf-8&format=JSON&method=alipay.trade.pay'
        "&sign_type=RSA2&timestamp=2014-07-24 03:07:50&version=1.0"
    )


@pytest.mark.parametrize(("params", "expected"), ALIPAY_VECTORS)
def test_7_5_request_signature_matches_the_vector(
    alipay_app_key: rsa.RSAPrivateKey, params: dict[str, str], expected: str
) -> None:
    assert s.alipay_sign(alipay_app_key, params) == expected


@pytest.mark.parametrize(("params", "expected"), ALIPAY_VECTORS)
def test_7_5_request_signature_verifies_and_flipped_bytes_fail(
    alipay_app_key: rsa.RSAPrivateKey, params: dict[str, str], expected: str
) -> None:
    public, content = alipay_app_key.public_key(), s.alipay_sign_content(params).encode()
    assert s.rsa_sha256_verify(public, content, expected)
    assert not s.rsa_sha256_verify(public, _flip_bytes(content), expected)
    assert not s.rsa_sha256_verify(public, content, _flip(expected))


# --- §7.6 WeChat Pay v3 SHA256withRSA, §7.8 Authorization layout ------------------------------

SIGN_SOURCE = (
    "BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoVz"
    "+pp4hAm6pHU4ld815U4jsKu1RkyaII+1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4"
    "SL536GLwvpUHlCqIMzoZUguLli/K8V29QiOhuH6IEqLNJn8e9b3nwNcQ7be3CzYGpDAKBfDGPCqCv8Rw"
    "5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj1aJGH6/L+hdwfLpUtJm4QYVazzW7D"
    "FD27EpSQEqA8bX9+8m1rLg=="
)
CODEPAY_BODY = (
    '{"appid":"wxd678efh567hg6787","mchid":"1230000109","description":"Image形象店-深圳腾大-QQ公仔",'
    '"out_trade_no":"1217752501201407033233368018","payer":{"auth_code":"130061098828009406"},'
    '"amount":{"total":100,"currency":"CNY"},"scene_info":{"store_info":{"id":"0001"}}}'
).encode()
SIGN_POST = (
    "RAG4HpQJXoxYNMh9JWCidBRgUXJZFMRhD+Gq4ULxIw/JfV2qEt+zMDF7m/jchSGH/fE3Di+jIR/invNM"
    "Ts4oh+NQCI3vXm73bSyHHRT5c9OUbZ9mk+u2xVvAv9cuRwFHFiixLVyBbXXnKNwEKqgnZq000OLz7CGf"
    "YRi2Ei8wfpgz7EMCGIMP8/xg6uE1da5T8uiIDCG/5ydMDsvmhDB/yDGa5G9BAkAglJ2aQxOfNPYZH7Tl"
    "Yn15WSw5J9+ayLVxUadUqh43dHNom3+m7zVsKhraNiTEUekJo61DEMWWg9e7s4z/fV14719fI5m+cmC2"
    "AhiVmvNdv5ed6qNCD3OHUA=="
)
SIGN_GET = (
    "Mi6/vU9oV2sHqOtO5LZDQBvzCU+Hti+oFJOfyB0oyR0kxDgmeHmTqczM3gzb5jNY/uFYvtMBOke1DxYD"
    "EK6rSE3l7Y0Xp3WrgX7gZgRTHJAz/qFRze1qVxK1kWx1wcXs9jqWHy3BApmDEFO+2oBGfde4qmTG9oAM"
    "YmJZ3QTWVjNOKTaJ3lH5HbAdX+gFAO1PIOUmL8HnMlLWVNyW7BJzFFYiBvJmsSp5lgdW0Jw76oMZ0LCi"
    "Pqe5FlzovlZQXx4uup7PMpGcUVzFQ69APJeBVQqAMuQJDiCbl5/XCi3eteFKVj0ZpQrcpJa+kynM0Z8T"
    "E/CwPMVR0c5b2xN1s7ofUQ=="
)
TS, NONCE = "1554208460", "593BEC0C930BF1AFEB40B4A08C8FB242"
QUERY_URL = "/v3/pay/transactions/out-trade-no/1217752501201407033233368018?mchid=1230000109"
V3_VECTORS = [
    pytest.param(b"source", SIGN_SOURCE, id="7.6-wechatpay-go"),
    pytest.param(
        s.wechat_v3_request_message(
            "POST", "/v3/pay/transactions/codepay", TS, NONCE, CODEPAY_BODY
        ),
        SIGN_POST,
        id="7.6-derived-post",
    ),
    pytest.param(
        s.wechat_v3_request_message("get", QUERY_URL, TS, NONCE, b""),
        SIGN_GET,
        id="7.6-derived-get",
    ),
]


def test_7_6_request_message_has_five_lines_and_an_empty_body_line_for_get() -> None:
    assert s.wechat_v3_request_message("GET", QUERY_URL, TS, NONCE, b"") == (
        f"GET\n{QUERY_URL}\n{TS}\n{NONCE}\n\n".encode()
    )


@pytest.mark.parametrize(("message", "expected"), V3_VECTORS)
def test_7_6_signature_matches_the_vector(
    wechat_key: rsa.RSAPrivateKey, message: bytes, expected: str
) -> None:
    assert s.rsa_sha256_sign(wechat_key, message) == expected


@pytest.mark.parametrize(("message", "expected"), V3_VECTORS)
def test_7_6_signature_verifies_and_flipped_bytes_fail(
    wechat_key: rsa.RSAPrivateKey, message: bytes, expected: str
) -> None:
    public = wechat_key.public_key()
    assert s.rsa_sha256_verify(public, message, expected)
    assert not s.rsa_sha256_verify(public, _flip_bytes(message), expected)
    assert not s.rsa_sha256_verify(public, message, _flip(expected))


def test_7_8_authorization_header_layout() -> None:
    header = s.wechat_v3_authorization(
        mchid="1234567890",
        nonce="A1B2C3D4E5F6G7",
        timestamp="1624523846",
        serial_no="0123456789ABC",
        signature="Sign:GET\n/v3/certificates\n1624523846\nA1B2C3D4E5F6G7\n\n",
        scheme="WECHATPAY2-Mock",
    )
    assert header == (
        'WECHATPAY2-Mock mchid="1234567890",nonce_str="A1B2C3D4E5F6G7",timestamp="1624523846",'
        'serial_no="0123456789ABC",signature="Sign:GET\n/v3/certificates\n1624523846\n'
        'A1B2C3D4E5F6G7\n\n"'
    )


def test_signed_request_header_carries_the_vector_signature(
    wechat_key: rsa.RSAPrivateKey,
) -> None:
    header = s.wechat_v3_sign_request(
        wechat_key,
        mchid="1230000109",
        serial_no="5157F09EFDC096DE15EBE81A47057A72",
        method="POST",
        url="/v3/pay/transactions/codepay",
        timestamp=TS,
        nonce=NONCE,
        body=CODEPAY_BODY,
    )
    assert header.startswith('WECHATPAY2-SHA256-RSA2048 mchid="1230000109",')
    assert header.endswith(f'signature="{SIGN_POST}"')


# --- v3 reply and callback verification (§3.3) ------------------------------------------------

PUB_KEY_ID = "PUB_KEY_ID_0112860886012025062700111588000000"


def _signed_headers(key: rsa.RSAPrivateKey, body: bytes, serial: str) -> dict[str, str]:
    signature = s.rsa_sha256_sign(key, s.wechat_v3_response_message(TS, NONCE, body))
    return {
        "Wechatpay-Timestamp": TS,
        "Wechatpay-Nonce": NONCE,
        "Wechatpay-Serial": serial,
        "Wechatpay-Signature": signature,
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
    }


@pytest.mark.parametrize("body", [b'{"trade_state":"SUCCESS"}', b""], ids=["json", "204-empty"])
@pytest.mark.parametrize("serial", [PUB_KEY_ID, "5157F09EFDC096DE15EBE81A47057A72"])
def test_v3_reply_verifies_by_public_key_id_or_certificate_serial(
    wechat_key: rsa.RSAPrivateKey, body: bytes, serial: str
) -> None:
    keys = {serial: wechat_key.public_key()}
    headers = _signed_headers(wechat_key, body, serial)
    lower = {name.lower(): value for name, value in headers.items()}
    assert s.wechat_v3_verify(keys, headers, body, now=int(TS) + 60)
    assert s.wechat_v3_verify(keys, lower, body, now=int(TS))
    assert not s.wechat_v3_verify(keys, headers, body + b" ", now=int(TS))


@pytest.mark.parametrize(
    ("change", "now"),
    [
        ({}, int(TS) + 301),
        ({}, int(TS) - 301),
        ({"Wechatpay-Serial": "OTHER"}, int(TS)),
        ({"Wechatpay-Serial": ""}, int(TS)),
        ({"Wechatpay-Signature": "WECHATPAY/SIGNTEST/" + "A" * 40}, int(TS)),
        ({"Wechatpay-Signature": ""}, int(TS)),
        ({"Wechatpay-Nonce": "other"}, int(TS)),
        ({"Wechatpay-Timestamp": "not-a-time"}, int(TS)),
        ({"Wechatpay-Signature-Type": "WECHATPAY2-SM2-WITH-SM3"}, int(TS)),
    ],
    ids=[
        "stale",
        "future",
        "unknown-serial",
        "no-serial",
        "probe",
        "unsigned",
        "nonce",
        "timestamp",
        "algorithm",
    ],
)
def test_v3_reply_that_must_not_be_trusted_fails(
    wechat_key: rsa.RSAPrivateKey, change: dict[str, str], now: int
) -> None:
    body = b'{"trade_state":"SUCCESS"}'
    headers = {**_signed_headers(wechat_key, body, PUB_KEY_ID), **change}
    assert not s.wechat_v3_verify({PUB_KEY_ID: wechat_key.public_key()}, headers, body, now=now)


def test_v3_certificate_serial_matches_without_case_or_leading_zeros(
    wechat_key: rsa.RSAPrivateKey,
) -> None:
    body = b"{}"
    headers = _signed_headers(wechat_key, body, "0abc12")
    assert s.wechat_v3_verify({"ABC12": wechat_key.public_key()}, headers, body, now=int(TS))


# --- §7.7 AES-GCM callback decryption --------------------------------------------------------

AES_VECTORS = [
    pytest.param(
        b"testAPIv3Key0000",
        "wCq51qZv4Yfg",
        "Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8",
        "FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC",
        b"Hello World",
        id="7.7-wechatpay-go",
    ),
    pytest.param(
        b"0123456789abcdef0123456789abcdef",
        "fdasflkja484",
        "transaction",
        "DUcclrHBE5NffFMk6pzEyhVrz1jnxtqSCQMaICR0+urvOkRI0JNqKpzaO4OUnqUZHvTm7h1Zh0eqtsTQf"
        "4+oe7JROfRZ1yRbzkC/XCUjzUejBGofe1+y",
        b'{"out_trade_no":"1217752501201407033233368018","trade_state":"SUCCESS"}',
        id="7.7-derived-aes256",
    ),
]


@pytest.mark.parametrize(("key", "nonce", "aad", "ciphertext", "plaintext"), AES_VECTORS)
def test_7_7_callback_decrypts_and_encrypts_to_the_vector(
    key: bytes, nonce: str, aad: str, ciphertext: str, plaintext: bytes
) -> None:
    assert (
        s.wechat_v3_decrypt(key, nonce=nonce, associated_data=aad, ciphertext=ciphertext)
        == plaintext
    )
    assert (
        s.wechat_v3_encrypt(key, nonce=nonce, associated_data=aad, plaintext=plaintext)
        == ciphertext
    )


@pytest.mark.parametrize(("key", "nonce", "aad", "ciphertext", "plaintext"), AES_VECTORS)
def test_7_7_tampered_callback_is_refused(
    key: bytes, nonce: str, aad: str, ciphertext: str, plaintext: bytes
) -> None:
    for changed in (
        {"ciphertext": _flip(ciphertext, 4)},
        {"associated_data": aad + "x"},
        {"nonce": _flip(nonce, 0)},
        {"ciphertext": "not base64!"},
    ):
        args = {"nonce": nonce, "associated_data": aad, "ciphertext": ciphertext, **changed}
        with pytest.raises(s.MalformedMessage):
            s.wechat_v3_decrypt(key, **args)


# --- keys ------------------------------------------------------------------------------------


def test_public_keys_load_as_pem_or_bare_base64() -> None:
    bare = s.load_public_key(ALIPAY_RESPONSE_KEY)
    lines = [ALIPAY_RESPONSE_KEY[i : i + 64] for i in range(0, len(ALIPAY_RESPONSE_KEY), 64)]
    pem = _armour("PUBLIC KEY", "\n".join(lines), final_newline=True)
    assert s.load_public_key(pem).public_numbers() == bare.public_numbers()
