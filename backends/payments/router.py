"""Which gateway takes a payment: by the payment code's wallet, or one aggregator for all.

The wallet comes from the code's prefix and length (``domain.payment_codes.route``, brief §8);
a code that fits no rule is refused there and never sent anywhere. A wallet with no configured
gateway is refused here with ``payment.provider_unavailable``: never sent to a guessed one.
Later calls for an attempt (query, reverse, refund) go by the provider stored with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from pos_app.domain.payment_codes import DEFAULT_RULES, CodeRule, PaymentCode, Provider, route
from pos_app.errors import UserError
from pos_app.ports.payments import PaymentGateway


class PaymentRouter:
    def __init__(
        self,
        gateways: Mapping[Provider, PaymentGateway],
        *,
        aggregator: PaymentGateway | None = None,
        rules: Sequence[CodeRule] = DEFAULT_RULES,
    ) -> None:
        self._gateways = MappingProxyType(dict(gateways))
        self._aggregator = aggregator
        self._rules = tuple(rules)

    @property
    def providers(self) -> frozenset[Provider]:
        """The wallets this terminal can take (all three behind an aggregator)."""
        if self._aggregator is not None:
            return frozenset(Provider)
        return frozenset(self._gateways)

    def route(self, text: str) -> PaymentCode:
        """The scanned text as a routed code, or ``UserError("payment.bad_code")``."""
        code = route(text, self._rules)
        self.for_provider(code.provider)
        return code

    def for_code(self, code: PaymentCode) -> PaymentGateway:
        return self.for_provider(code.provider)

    def for_provider(self, provider: Provider) -> PaymentGateway:
        if self._aggregator is not None:
            return self._aggregator
        gateway = self._gateways.get(provider)
        if gateway is None:
            raise UserError("payment.provider_unavailable", provider=provider.value)
        return gateway

    def close(self) -> None:
        """Release HTTP connection pools (adapters that have them)."""
        seen: set[int] = set()
        for gateway in (*self._gateways.values(), self._aggregator):
            closer = getattr(gateway, "close_session", None)
            if gateway is not None and id(gateway) not in seen and callable(closer):
                seen.add(id(gateway))
                closer()
