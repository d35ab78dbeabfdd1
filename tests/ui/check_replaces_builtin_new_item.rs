use prodready::{Context, Outcome};

#[prodready::check(section = "Payments", title = "Ledger balances", replaces_builtin = true)]
async fn ledger(_ctx: &Context) -> Outcome {
    Outcome::pass("balanced")
}

fn main() {}
