fn main() {
    let _ = prodready::checklist! {
        "Payments" {
            section "Security" {
                group "Container Security" {
                    no_root_user => prodready::check_fn(|_ctx| async { prodready::Outcome::pass("uid 1000") }),
                }
            }
        }
    };
}
