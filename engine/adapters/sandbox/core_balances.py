"""The sandbox core's account balances and freezes (§13.5 "fixture accounts hold balances … the frozen
amount is reflected"): the one place a simulated account's money lives, so wealth purchases (J3) and
later disbursement checks read the same figures.

An account is one the sandbox core opened (`core.account/<account_no>`); it holds its holder's fixture
balance (`fixtures.CORE_BALANCES` by ID number, else `CORE_DEFAULT_BALANCE`), every account of a person
the same. Nothing is ever debited: a purchase freezes (`core.freeze/<ref>`), a cancellation releases
(`core.release/<ref>`), and `available` is the balance less every unreleased freeze. Freezes are
inserts under their own reference, taken inside the caller's store transaction, so a second order sees
the first one's freeze and a retried order never freezes twice.
"""

from __future__ import annotations

from decimal import Decimal

from engine.adapters.sandbox import fixtures
from engine.adapters.sandbox.store import SandboxView
from forms.formats import normalise_resident_id


class CoreBalances:
    def __init__(self, store: SandboxView) -> None:
        self._store = store

    def holder(self, account_no: str, *, view: SandboxView | None = None) -> str | None:
        """The ID number the account was opened for, or None for an account the core does not hold."""
        account = (view or self._store).get("core.account", account_no)
        return normalise_resident_id(str(account["id_number"])) if account else None

    def balance(self, account_no: str, *, view: SandboxView | None = None) -> Decimal:
        holder = self.holder(account_no, view=view)
        if holder is None:
            return Decimal(0)
        return Decimal(fixtures.CORE_BALANCES.get(holder, fixtures.CORE_DEFAULT_BALANCE))

    def available(self, account_no: str, *, view: SandboxView | None = None) -> Decimal:
        """The balance less what is frozen on the account and not released."""
        store = view or self._store
        frozen = sum(
            (
                Decimal(f["amount"])
                for ref, f in store.items("core.freeze")
                if f["account_no"] == account_no and store.get("core.release", ref) is None
            ),
            Decimal(0),
        )
        return self.balance(account_no, view=store) - frozen

    def freeze(self, view: SandboxView, account_no: str, amount: Decimal, ref: str) -> bool:
        """Freeze `amount` under `ref` inside the caller's transaction; False if not available."""
        if view.get("core.freeze", ref) is not None:
            return True  # this reference froze before: never twice
        if amount > self.available(account_no, view=view):
            return False
        return view.put_if_absent("core.freeze", ref, {"account_no": account_no, "amount": str(amount)})

    def release(self, view: SandboxView, ref: str) -> Decimal:
        """Unfreeze in full what `ref` froze (the refund of a cancelled purchase); 0 if nothing was."""
        frozen = view.get("core.freeze", ref)
        if frozen is None or not view.put_if_absent("core.release", ref, {"amount": frozen["amount"]}):
            return Decimal(0)
        return Decimal(frozen["amount"])
