//! How fast a person works over time: a full rate after an optional linear ramp-up from joining.
//!
//! A case needing E person-hours, worked by someone giving `rate` person-hours per working day at
//! full productivity, takes E / rate working days (DESIGN §4: E/(h·p)). During ramp-up the rate
//! rises linearly from `start_share × rate` on joining to `rate` after `ramp_days`; the finish time
//! is then the root of a quadratic, solved in closed form.

/// Work rate of one person of a staff group [person-hours per working day].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkRate {
    /// Full rate [person-hours/working day].
    rate: f64,
    /// When the group joined [working days].
    joined: f64,
    /// Length of the ramp [working days]; 0 = none.
    ramp_days: f64,
    /// Share of the full rate on joining, in (0, 1].
    start_share: f64,
    /// 1 / `rate` [working days/person-hour]: a finish time multiplies by it rather than divide
    /// by `rate` (a division on every case start, and on the path to scheduling its completion).
    inv_rate: f64,
}

impl WorkRate {
    /// A person joining at `joined` [working days] whose rate rises linearly from
    /// `start_share × rate` to `rate` [person-hours/working day] over `ramp_days` (0 = no ramp).
    pub fn new(rate: f64, joined: f64, ramp_days: f64, start_share: f64) -> WorkRate {
        WorkRate {
            rate,
            joined,
            ramp_days,
            start_share,
            inv_rate: 1.0 / rate,
        }
    }

    /// A person at full rate from the start.
    pub fn flat(rate: f64) -> WorkRate {
        WorkRate::new(rate, 0.0, 0.0, 1.0)
    }

    fn ramp_end(&self) -> f64 {
        self.joined + self.ramp_days
    }

    /// Person-hours done between `t0` and `t1` (t0 ≤ t1) [person-hours].
    pub fn work(&self, t0: f64, t1: f64) -> f64 {
        if t1 <= t0 {
            return 0.0;
        }
        if self.ramp_days <= 0.0 || t0 >= self.ramp_end() {
            return self.rate * (t1 - t0);
        }
        let k = (1.0 - self.start_share) / self.ramp_days;
        let s = self.start_share;
        let a = (t0 - self.joined).max(0.0);
        let b = (t1.min(self.ramp_end()) - self.joined).max(a);
        let ramp_part = self.rate * (s * (b - a) + 0.5 * k * (b * b - a * a));
        let flat_part = self.rate * (t1 - self.ramp_end()).max(0.0);
        ramp_part + flat_part
    }

    /// When work of `hours` started at `t0` is done [working days].
    pub fn finish(&self, t0: f64, hours: f64) -> f64 {
        if hours <= 0.0 {
            return t0;
        }
        if self.ramp_days <= 0.0 || t0 >= self.ramp_end() {
            return t0 + hours * self.inv_rate;
        }
        let in_ramp = self.work(t0, self.ramp_end());
        if hours >= in_ramp {
            return self.ramp_end() + (hours - in_ramp) * self.inv_rate;
        }
        // Solve rate·[s(x − x0) + k/2 (x² − x0²)] = hours for x = t − joined, in the stable form
        // x = 2C / (s + √(s² + 2kC)) with C = s·x0 + k/2·x0² + hours/rate.
        let s = self.start_share;
        let k = (1.0 - s) / self.ramp_days;
        let x0 = (t0 - self.joined).max(0.0);
        let c = s * x0 + 0.5 * k * x0 * x0 + hours * self.inv_rate;
        let x = 2.0 * c / (s + (s * s + 2.0 * k * c).sqrt());
        (self.joined + x).max(t0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_rate_is_effort_over_hours_times_productivity() {
        // 60 person-hours at 6 h/day × productivity 0.8 = 12.5 working days.
        let r = WorkRate::flat(6.0 * 0.8);
        assert!((r.finish(3.0, 60.0) - 15.5).abs() < 1e-12);
        assert!((r.work(3.0, 15.5) - 60.0).abs() < 1e-12);
    }

    #[test]
    fn ramp_up_integrates_a_linear_rate() {
        // From half rate to full over 10 days: the first 10 days give 7.5 full days of work.
        let r = WorkRate::new(6.0, 0.0, 10.0, 0.5);
        assert!((r.work(0.0, 10.0) - 45.0).abs() < 1e-9);
        assert!((r.finish(0.0, 45.0) - 10.0).abs() < 1e-9);
        assert!((r.finish(0.0, 51.0) - 11.0).abs() < 1e-9);
        // Inverse property across the ramp and beyond.
        for &t0 in &[0.0, 2.5, 9.99, 12.0] {
            for &e in &[0.1, 5.0, 30.0, 200.0] {
                let t1 = r.finish(t0, e);
                assert!((r.work(t0, t1) - e).abs() < 1e-9, "t0={t0} e={e}");
                assert!(t1 >= t0);
            }
        }
    }

    /// A group that joins later (like met-2023's new staff): before joining nobody works, during
    /// the ramp the rate rises from the joining day, and `finish` inverts `work` from any start.
    #[test]
    fn ramp_up_counts_from_the_day_the_group_joins() {
        let r = WorkRate::new(5.5, 20.0, 60.0, 0.5);
        // Half rate on joining, three quarters half-way, full at the end of the ramp.
        assert!((r.work(20.0, 21.0) - 5.5 * (0.5 + 0.5 * 0.5 / 60.0)).abs() < 1e-9);
        assert!((r.work(20.0, 80.0) - 5.5 * 60.0 * 0.75).abs() < 1e-9);
        assert!((r.work(80.0, 81.0) - 5.5).abs() < 1e-12);
        // A start before joining (not scheduled by the engine, but total): no work until day 20.
        assert!((r.work(10.0, 21.0) - r.work(20.0, 21.0)).abs() < 1e-9);
        for &t0 in &[20.0, 20.5, 45.0, 79.9, 80.0, 95.0] {
            for &e in &[0.5, 8.0, 24.0, 80.0, 400.0] {
                let t1 = r.finish(t0, e);
                assert!(t1 >= t0);
                assert!((r.work(t0, t1) - e).abs() < 1e-9, "t0={t0} e={e}");
            }
        }
    }
}
