//! `yijian bench passwords`: what one argon2id hash and one verification cost on this machine,
//! which is what every registration and every log-in pays.

use std::time::{Duration, Instant};

use crate::accounts::password;

/// Options of `yijian bench passwords`.
#[derive(clap::Args, Clone, Debug)]
pub struct PasswordsArgs {
    /// Hashes and verifications to time.
    #[arg(long, default_value_t = 20)]
    pub rounds: u32,
}

/// Times `rounds` hashes and verifications and prints the mean and the worst of each.
pub async fn passwords(args: PasswordsArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.rounds > 0, "--rounds must be at least 1");
    let mut hashes = Vec::new();
    let mut verifies = Vec::new();
    for i in 0..args.rounds {
        let pw = format!("benchmark passphrase number {i}");
        let t = Instant::now();
        let phc = password::hash(pw.clone()).await?;
        hashes.push(t.elapsed());
        let t = Instant::now();
        anyhow::ensure!(
            password::verify(pw, Some(phc)).await?,
            "a hash did not verify"
        );
        verifies.push(t.elapsed());
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = |v: &[Duration]| v.iter().sum::<Duration>() / u32::try_from(v.len()).unwrap_or(1);
    let max = |v: &[Duration]| v.iter().max().copied().unwrap_or_default();
    println!(
        "yijian bench passwords — argon2id (default parameters: 19 MiB, 2 passes), {} rounds",
        args.rounds
    );
    println!("{:<10} {:>10} {:>10}", "", "mean ms", "max ms");
    println!(
        "{:<10} {:>10.1} {:>10.1}",
        "hash",
        ms(mean(&hashes)),
        ms(max(&hashes))
    );
    println!(
        "{:<10} {:>10.1} {:>10.1}",
        "verify",
        ms(mean(&verifies)),
        ms(max(&verifies))
    );
    Ok(())
}
