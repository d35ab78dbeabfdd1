use prodready::{Context, Outcome};

#[prodready::check(group = "Ledger")]
async fn ledger(_ctx: &Context) -> Outcome {
    Outcome::pass("balanced")
}

#[prodready::check(section = "Payments", group = "Ledger")]
async fn ledger_balances(_ctx: &Context) -> Outcome {
    Outcome::pass("balanced")
}

#[prodready::check(title = "Ledger balances")]
async fn ledger_title(_ctx: &Context) -> Outcome {
    Outcome::pass("balanced")
}

fn main() {}
