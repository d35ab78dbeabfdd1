fn main() {
    let _ = prodready::checklist! {
        "Payments" {
            section "Payments" {
                group "Ledger" {
                    "Ledger balances",
                    "Ledger reconciled" [depends_on = ["payments.ledger.ledger-balance", "payments.ledger.ledger-reconciled"]],
                }
            }
        }
    };
}
