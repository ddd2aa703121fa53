//! Payment devices. The agent talks to [`PaymentDevice`]; a real coin mech or card reader
//! implements it, and [`SimulatedCoinAcceptor`] stands in for tests and demos.

use serde::Serialize;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    pub price_yen: u32,
    pub inserted_yen: u32,
    pub change_yen: u32,
    /// Coins (or notes) refused by the device and handed back, e.g. foreign coins.
    pub refused: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PaymentError {
    #[error("not enough money inserted: {inserted_yen} of {price_yen} yen (refunded)")]
    Insufficient { price_yen: u32, inserted_yen: u32 },
    #[error("the coin acceptor jammed after {inserted_yen} yen (refunded; call staff)")]
    Jammed { inserted_yen: u32 },
    #[error("payment cancelled by the person; {inserted_yen} yen refunded")]
    Cancelled { inserted_yen: u32 },
}

impl PaymentError {
    pub fn message_ja(&self) -> String {
        match self {
            PaymentError::Insufficient {
                price_yen,
                inserted_yen,
            } => format!("料金が足りません（{inserted_yen}円／{price_yen}円）。返金しました。"),
            PaymentError::Jammed { inserted_yen } => {
                format!(
                    "硬貨投入口が詰まりました（{inserted_yen}円を返金）。係員をお呼びください。"
                )
            }
            PaymentError::Cancelled { inserted_yen } => {
                format!("支払いを取り消しました（{inserted_yen}円を返金）。")
            }
        }
    }
}

pub trait PaymentDevice {
    /// Takes `yen`, giving change; on any error whatever was inserted is refunded.
    fn collect(&mut self, yen: u32) -> Result<Receipt, PaymentError>;
}

/// Japanese coins and the 1000-yen note the simulated acceptor takes.
pub const ACCEPTED: [u32; 7] = [10, 50, 100, 500, 1000, 5000, 10000];

/// Coins arrive from a scripted list, in order; anything not in [`ACCEPTED`] is refused.
#[derive(Debug, Clone, Default)]
pub struct SimulatedCoinAcceptor {
    coins: std::collections::VecDeque<u32>,
    /// Jam after this many accepted coins (tests of the refund path).
    jam_after: Option<usize>,
}

impl SimulatedCoinAcceptor {
    pub fn new(coins: &[u32]) -> SimulatedCoinAcceptor {
        SimulatedCoinAcceptor {
            coins: coins.iter().copied().collect(),
            jam_after: None,
        }
    }

    pub fn jam_after(mut self, accepted_coins: usize) -> SimulatedCoinAcceptor {
        self.jam_after = Some(accepted_coins);
        self
    }
}

impl PaymentDevice for SimulatedCoinAcceptor {
    fn collect(&mut self, yen: u32) -> Result<Receipt, PaymentError> {
        let mut inserted = 0u32;
        let mut accepted = 0usize;
        let mut refused = Vec::new();
        while inserted < yen {
            if self.jam_after.is_some_and(|n| accepted >= n) {
                return Err(PaymentError::Jammed {
                    inserted_yen: inserted,
                });
            }
            let Some(coin) = self.coins.pop_front() else {
                return Err(PaymentError::Insufficient {
                    price_yen: yen,
                    inserted_yen: inserted,
                });
            };
            if ACCEPTED.contains(&coin) {
                inserted += coin;
                accepted += 1;
            } else {
                refused.push(coin);
            }
        }
        Ok(Receipt {
            price_yen: yen,
            inserted_yen: inserted,
            change_yen: inserted - yen,
            refused,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_change_and_overpayment() {
        let r = SimulatedCoinAcceptor::new(&[500, 100, 100, 100])
            .collect(800)
            .expect("paid");
        assert_eq!((r.inserted_yen, r.change_yen), (800, 0));
        let r = SimulatedCoinAcceptor::new(&[1000])
            .collect(800)
            .expect("paid");
        assert_eq!(r.change_yen, 200);
    }

    #[test]
    fn foreign_coins_are_refused_and_short_payment_refunds() {
        let r = SimulatedCoinAcceptor::new(&[25, 500, 500])
            .collect(800)
            .expect("paid");
        assert_eq!((r.refused.clone(), r.change_yen), (vec![25], 200));
        assert_eq!(
            SimulatedCoinAcceptor::new(&[500]).collect(800),
            Err(PaymentError::Insufficient {
                price_yen: 800,
                inserted_yen: 500
            })
        );
    }

    #[test]
    fn a_jam_refunds_what_was_inserted() {
        let e = SimulatedCoinAcceptor::new(&[100, 100, 500, 100])
            .jam_after(2)
            .collect(800)
            .expect_err("jammed");
        assert_eq!(e, PaymentError::Jammed { inserted_yen: 200 });
        assert!(e.message_ja().contains("200円"));
    }
}
