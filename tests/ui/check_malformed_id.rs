use prodready::{Context, Outcome};

#[prodready::check(item = "Security.No root user")]
async fn not_root(_ctx: &Context) -> Outcome {
    Outcome::pass("uid 1000")
}

#[prodready::check(section = "Payments", title = "Ledger balances", depends_on = ["payments"])]
async fn ledger_balances(_ctx: &Context) -> Outcome {
    Outcome::pass("balanced")
}

fn main() {}
