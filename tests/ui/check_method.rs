use prodready::Outcome;

struct Checks;

impl Checks {
    #[prodready::check(item = "security.no-root-user")]
    async fn not_root(&self) -> Outcome {
        Outcome::pass("uid 1000")
    }
}

fn main() {}
