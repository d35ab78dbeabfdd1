use prodready::Context;

#[prodready::check(item = "security.no-root-user")]
async fn not_root(_ctx: &Context) -> String {
    "uid 1000".to_owned()
}

fn main() {}
