//! `shard.bin`: a shard's replications, exactly, as bytes, and back.
//!
//! Every number is stored as its bits, little-endian (`f64` as `to_bits`, NaN payloads and signs
//! included), so that a merge sees exactly what the shard's run produced: decimal text would
//! need a correctly rounding parser on both sides and loses NaN signs, which `total_cmp` sorts
//! apart. The layout is written out in `docs/outputs.md` ("Shard directories"); a change to it
//! raises [`BIN_FORMAT`]. Decoding never panics: every length is checked against the bytes left,
//! and every histogram against its invariants.

use crate::engine::{Pooled, RecordSet, RunResult};
use crate::model::{RepRecord, StaffTime, TypeRecord};
use crate::stats::{CountHist, LogHist};

/// The first eight bytes of every `shard.bin`.
pub const MAGIC: &[u8; 8] = b"VSIMSHRD";

/// Version of the layout of `shard.bin`, after [`MAGIC`].
pub const BIN_FORMAT: u32 = 1;

/// The largest count a histogram cell may hold in a shard (2^50): far above any run's, and
/// small enough that merging thousands of shards cannot overflow.
const MAX_COUNT: u64 = 1 << 50;

/// What a shard holds: its replications (records and pooled histograms) and, with `--split`,
/// the twins and the fixed-assumption runs of the same replications.
#[derive(Debug, Clone)]
pub struct ShardData<R = Vec<RepRecord>> {
    /// The shard's run over its block: `replications` is the block's end (as
    /// [`crate::engine::run_range`] gives it). Its records may be on disk while the shard is
    /// written ([`crate::engine::Records`]); decoded, they are a `Vec`.
    pub run: RunResult<R>,
    /// The first replication of the block.
    pub first: u64,
    /// With `--split`: the twins of the block's replications (empty otherwise).
    pub twins: Vec<RepRecord>,
    /// With `--split`: the block's replications with every assumption at its median.
    pub central: Vec<RepRecord>,
}

/// Encodes `data` into `out`.
pub fn encode<R: RecordSet>(
    data: &ShardData<R>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    encode_many(std::slice::from_ref(data), out)
}

/// Encodes the data of several runs of one block (a comparison's variants, in order) into `out`:
/// the header once, then each run's data as [`encode`] writes one.
pub fn encode_many<R: RecordSet>(
    all: &[ShardData<R>],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut e = Encoder::new(out)?;
    for data in all {
        e.data(data)?;
    }
    e.finish().map(drop)
}

/// Writes `shard.bin` one run's data at a time, so that a shard of many runs (a sensitivity
/// analysis's) need not hold them all: [`Encoder::new`] writes the header, each
/// [`Encoder::data`] a run's data, [`Encoder::finish`] flushes. An encoder made
/// [`Encoder::without_header`] writes runs' data alone, to be copied after another's.
pub struct Encoder<W: std::io::Write> {
    w: Writer<std::io::BufWriter<W>>,
}

impl<W: std::io::Write> Encoder<W> {
    /// An encoder that has written the header.
    pub fn new(out: W) -> std::io::Result<Encoder<W>> {
        let mut e = Encoder::without_header(out);
        e.w.bytes(MAGIC)?;
        e.w.u32(BIN_FORMAT)?;
        Ok(e)
    }

    /// An encoder that writes no header.
    pub fn without_header(out: W) -> Encoder<W> {
        Encoder {
            w: Writer {
                out: std::io::BufWriter::with_capacity(1 << 16, out),
            },
        }
    }

    /// Writes the data of the next run.
    pub fn data<R: RecordSet>(&mut self, data: &ShardData<R>) -> std::io::Result<()> {
        self.w.data(data)
    }

    /// Flushes what is buffered and gives the writer back.
    pub fn finish(self) -> std::io::Result<W> {
        self.w.out.into_inner().map_err(|e| e.into_error())
    }
}

impl<W: std::io::Write> Writer<W> {
    fn data<R: RecordSet>(&mut self, data: &ShardData<R>) -> std::io::Result<()> {
        let w = self;
        w.u64(data.run.seed)?;
        w.u64(data.first)?;
        w.u64(data.run.replications)?;
        // The run's records a chunk at a time (they may be on disk), then the twins and the
        // fixed-assumption records.
        w.u64(data.run.records.count() as u64)?;
        data.run
            .records
            .try_for_each_chunk(&mut |c| -> std::io::Result<()> {
                c.iter().try_for_each(|r| w.record(r))
            })?;
        for list in [&data.twins, &data.central] {
            w.u64(list.len() as u64)?;
            for r in list {
                w.record(r)?;
            }
        }
        w.pooled(&data.run.pooled)
    }
}

/// The encoding of one record (to compare records bit for bit, NaNs included).
pub fn record_bytes(r: &RepRecord) -> Vec<u8> {
    let mut v = Vec::new();
    let mut w = Writer { out: &mut v };
    w.record(r).expect("writing to a vector cannot fail");
    v
}

/// Appends the encoding of `r` to `out` (as in `shard.bin`; read back with [`read_records`]).
pub fn write_record(out: &mut Vec<u8>, r: &RepRecord) {
    let mut w = Writer { out };
    w.record(r).expect("writing to a vector cannot fail");
}

/// Decodes exactly `n` records written by [`write_record`]; trailing bytes are an error.
pub fn read_records(bytes: &[u8], n: usize) -> Result<Vec<RepRecord>, DecodeError> {
    let mut r = Reader { bytes, at: 0 };
    let mut out = Vec::with_capacity(n.min(bytes.len() / 100));
    for _ in 0..n {
        out.push(r.record()?);
    }
    if r.at != bytes.len() {
        return Err(r.fail("bytes after the last record"));
    }
    Ok(out)
}

struct Writer<W: std::io::Write> {
    out: W,
}

impl<W: std::io::Write> Writer<W> {
    fn bytes(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.out.write_all(b)
    }
    fn u8(&mut self, v: u8) -> std::io::Result<()> {
        self.bytes(&[v])
    }
    fn u32(&mut self, v: u32) -> std::io::Result<()> {
        self.bytes(&v.to_le_bytes())
    }
    fn u64(&mut self, v: u64) -> std::io::Result<()> {
        self.bytes(&v.to_le_bytes())
    }
    fn f64(&mut self, v: f64) -> std::io::Result<()> {
        self.u64(v.to_bits())
    }
    fn len(&mut self, n: usize) -> std::io::Result<()> {
        self.u64(n as u64)
    }
    fn opt_f64(&mut self, v: Option<f64>) -> std::io::Result<()> {
        match v {
            None => self.u8(0),
            Some(x) => {
                self.u8(1)?;
                self.f64(x)
            }
        }
    }
    fn f64s(&mut self, v: &[f64]) -> std::io::Result<()> {
        self.len(v.len())?;
        v.iter().try_for_each(|&x| self.f64(x))
    }
    fn staff(&mut self, v: &[StaffTime]) -> std::io::Result<()> {
        self.len(v.len())?;
        v.iter().try_for_each(|x| {
            self.f64(x.busy)?;
            self.f64(x.on_duty)
        })
    }
    fn type_record(&mut self, t: &TypeRecord) -> std::io::Result<()> {
        let TypeRecord {
            opened,
            closed,
            measured,
            waited,
            sum_wait,
            sum_time_in_system,
            p90_wait,
            p90_time_in_system,
        } = *t;
        for v in [opened, closed, measured, waited] {
            self.u32(v)?;
        }
        for v in [sum_wait, sum_time_in_system, p90_wait, p90_time_in_system] {
            self.f64(v)?;
        }
        Ok(())
    }
    fn record(&mut self, r: &RepRecord) -> std::io::Result<()> {
        // Destructured, so that a field added to the record fails to compile here.
        let RepRecord {
            replication,
            screening_last_day,
            all_closed,
            peak_open,
            peak_time,
            open_at_end,
            end_time,
            open_area,
            back_to_target,
            types,
            all,
            source_days,
            hit_rates,
            screening_pace,
            screening_factor,
            assumptions,
            teams,
            periods,
        } = r;
        self.u64(*replication)?;
        match screening_last_day {
            None => self.u8(0)?,
            Some(d) => {
                self.u8(1)?;
                self.u32(*d)?;
            }
        }
        self.opt_f64(*all_closed)?;
        self.u32(*peak_open)?;
        self.f64(*peak_time)?;
        self.u32(*open_at_end)?;
        self.f64(*end_time)?;
        self.f64(*open_area)?;
        self.len(back_to_target.len())?;
        for &b in back_to_target {
            self.opt_f64(b)?;
        }
        self.len(types.len())?;
        for t in types {
            self.type_record(t)?;
        }
        self.type_record(all)?;
        self.f64s(source_days)?;
        self.f64s(hit_rates)?;
        self.f64(*screening_pace)?;
        self.f64(*screening_factor)?;
        self.f64s(assumptions)?;
        self.staff(teams)?;
        self.staff(periods)
    }
    fn count_hist(&mut self, h: &CountHist) -> std::io::Result<()> {
        let (base, counts) = h.parts();
        self.u32(base)?;
        self.len(counts.len())?;
        counts.iter().try_for_each(|&c| self.u64(c))
    }
    fn count_hists(&mut self, v: &[CountHist]) -> std::io::Result<()> {
        self.len(v.len())?;
        v.iter().try_for_each(|h| self.count_hist(h))
    }
    fn log_hists(&mut self, v: &[LogHist]) -> std::io::Result<()> {
        self.len(v.len())?;
        v.iter().try_for_each(|h| {
            self.len(h.counts().len())?;
            h.counts().iter().try_for_each(|&c| self.u64(c))
        })
    }
    fn pooled(&mut self, p: &Pooled) -> std::io::Result<()> {
        let Pooled {
            open_total,
            open_by_type,
            wait,
            time_in_system,
            utilisation,
            utilisation_sum,
        } = p;
        self.count_hists(open_total)?;
        self.len(open_by_type.len())?;
        open_by_type.iter().try_for_each(|d| self.count_hists(d))?;
        self.log_hists(wait)?;
        self.log_hists(time_in_system)?;
        self.len(utilisation.len())?;
        utilisation.iter().try_for_each(|d| self.count_hists(d))?;
        self.len(utilisation_sum.len())?;
        utilisation_sum.iter().try_for_each(|d| {
            self.len(d.len())?;
            d.iter().try_for_each(|&x| self.u64(x))
        })
    }
}

/// Why `shard.bin` could not be decoded: what was expected, and at which byte.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} (at byte {offset})")]
pub struct DecodeError {
    pub what: String,
    pub offset: usize,
}

/// Decodes a whole `shard.bin`; trailing bytes are an error.
pub fn decode(bytes: &[u8]) -> Result<ShardData, DecodeError> {
    let mut all = decode_many(bytes, 1)?;
    Ok(all.pop().expect("one run decoded"))
}

/// Decodes a whole `shard.bin` of `runs` runs ([`encode_many`]); trailing bytes are an error.
pub fn decode_many(bytes: &[u8], runs: usize) -> Result<Vec<ShardData>, DecodeError> {
    let mut all = Vec::with_capacity(runs.min(1 << 10));
    decode_each(
        bytes,
        runs,
        |e| e,
        |_, data| {
            all.push(data);
            Ok(())
        },
    )?;
    Ok(all)
}

/// Decodes a whole `shard.bin` of `runs` runs one run at a time, handing each to `each` (its
/// index and data) before the next is decoded, so that a reader need not hold them all; a
/// decoding error is handed to `bad`, and trailing bytes are one.
pub fn decode_each<E>(
    bytes: &[u8],
    runs: usize,
    bad: impl Fn(DecodeError) -> E,
    mut each: impl FnMut(usize, ShardData) -> Result<(), E>,
) -> Result<(), E> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(MAGIC.len(), "the file's signature").map_err(&bad)? != MAGIC {
        return Err(bad(r.fail_at(
            0,
            "not a vetsim shard file (its first bytes are not VSIMSHRD)",
        )));
    }
    let version = r.u32("the format version").map_err(&bad)?;
    if version != BIN_FORMAT {
        return Err(bad(r.fail_at(
            8,
            &format!(
                "shard.bin format {version}, but this vetsim reads format {BIN_FORMAT}: merge with the vetsim version that ran the shards"
            ),
        )));
    }
    for i in 0..runs {
        let data = r.data().map_err(&bad)?;
        each(i, data)?;
    }
    if r.at != bytes.len() {
        return Err(bad(r.fail(
            "bytes after the end of the data (the file was appended to)",
        )));
    }
    Ok(())
}

impl Reader<'_> {
    fn data(&mut self) -> Result<ShardData, DecodeError> {
        let r = self;
        let seed = r.u64("the seed")?;
        let first = r.u64("the first replication")?;
        let end = r.u64("the end of the block")?;
        let mut lists = Vec::with_capacity(3);
        for what in ["records", "twins", "fixed-assumption records"] {
            // A record takes at least 100 bytes: a count beyond that is refused before
            // allocating.
            let n = r.len(100, what)?;
            let mut list = Vec::with_capacity(n);
            for _ in 0..n {
                list.push(r.record()?);
            }
            lists.push(list);
        }
        let pooled = r.pooled()?;
        let central = lists.pop().unwrap_or_default();
        let twins = lists.pop().unwrap_or_default();
        let records = lists.pop().unwrap_or_default();
        Ok(ShardData {
            run: RunResult {
                seed,
                replications: end,
                records,
                pooled,
            },
            first,
            twins,
            central,
        })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn fail(&self, what: &str) -> DecodeError {
        self.fail_at(self.at, what)
    }
    fn fail_at(&self, offset: usize, what: &str) -> DecodeError {
        DecodeError {
            what: what.to_string(),
            offset,
        }
    }
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], DecodeError> {
        match self.bytes.get(self.at..self.at.saturating_add(n)) {
            Some(b) if self.at.checked_add(n).is_some() => {
                self.at += n;
                Ok(b)
            }
            _ => Err(self.fail(&format!("the file ends inside {what} (cut short)"))),
        }
    }
    fn u8(&mut self, what: &str) -> Result<u8, DecodeError> {
        Ok(self.take(1, what)?[0])
    }
    fn u32(&mut self, what: &str) -> Result<u32, DecodeError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes(b.try_into().expect("4 bytes")))
    }
    fn u64(&mut self, what: &str) -> Result<u64, DecodeError> {
        let b = self.take(8, what)?;
        Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
    }
    fn f64(&mut self, what: &str) -> Result<f64, DecodeError> {
        Ok(f64::from_bits(self.u64(what)?))
    }
    /// A count of items each at least `min_size` bytes long, checked against the bytes left.
    fn len(&mut self, min_size: usize, what: &str) -> Result<usize, DecodeError> {
        let at = self.at;
        let n = self.u64(what)?;
        let left = (self.bytes.len() - self.at) as u64;
        if n.saturating_mul(min_size as u64) > left {
            return Err(self.fail_at(
                at,
                &format!("{what}: {n} items, more than the {left} bytes left can hold"),
            ));
        }
        Ok(n as usize)
    }
    fn tag(&mut self, what: &str) -> Result<bool, DecodeError> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            t => Err(self.fail_at(self.at - 1, &format!("{what}: tag {t}, not 0 or 1"))),
        }
    }
    fn opt_f64(&mut self, what: &str) -> Result<Option<f64>, DecodeError> {
        Ok(if self.tag(what)? {
            Some(self.f64(what)?)
        } else {
            None
        })
    }
    fn f64s(&mut self, what: &str) -> Result<Vec<f64>, DecodeError> {
        let n = self.len(8, what)?;
        (0..n).map(|_| self.f64(what)).collect()
    }
    fn staff(&mut self, what: &str) -> Result<Vec<StaffTime>, DecodeError> {
        let n = self.len(16, what)?;
        (0..n)
            .map(|_| {
                Ok(StaffTime {
                    busy: self.f64(what)?,
                    on_duty: self.f64(what)?,
                })
            })
            .collect()
    }
    fn type_record(&mut self) -> Result<TypeRecord, DecodeError> {
        let w = "a case type's record";
        Ok(TypeRecord {
            opened: self.u32(w)?,
            closed: self.u32(w)?,
            measured: self.u32(w)?,
            waited: self.u32(w)?,
            sum_wait: self.f64(w)?,
            sum_time_in_system: self.f64(w)?,
            p90_wait: self.f64(w)?,
            p90_time_in_system: self.f64(w)?,
        })
    }
    fn record(&mut self) -> Result<RepRecord, DecodeError> {
        let w = "a replication's record";
        let replication = self.u64(w)?;
        let screening_last_day = if self.tag(w)? {
            Some(self.u32(w)?)
        } else {
            None
        };
        let all_closed = self.opt_f64(w)?;
        let peak_open = self.u32(w)?;
        let peak_time = self.f64(w)?;
        let open_at_end = self.u32(w)?;
        let end_time = self.f64(w)?;
        let open_area = self.f64(w)?;
        let n = self.len(1, "back_to_target")?;
        let back_to_target = (0..n)
            .map(|_| self.opt_f64("back_to_target"))
            .collect::<Result<_, _>>()?;
        let n = self.len(48, "case type records")?;
        let types = (0..n)
            .map(|_| self.type_record())
            .collect::<Result<_, _>>()?;
        let all = self.type_record()?;
        Ok(RepRecord {
            replication,
            screening_last_day,
            all_closed,
            peak_open,
            peak_time,
            open_at_end,
            end_time,
            open_area,
            back_to_target,
            types,
            all,
            source_days: self.f64s("source_days")?,
            hit_rates: self.f64s("hit_rates")?,
            screening_pace: self.f64(w)?,
            screening_factor: self.f64(w)?,
            assumptions: self.f64s("assumptions")?,
            teams: self.staff("teams")?,
            periods: self.staff("periods")?,
        })
    }
    fn count(&mut self, what: &str) -> Result<u64, DecodeError> {
        let c = self.u64(what)?;
        if c > MAX_COUNT {
            return Err(self.fail_at(
                self.at - 8,
                &format!("{what}: a count of {c}, above any run's"),
            ));
        }
        Ok(c)
    }
    /// A sum of utilisations (units of 10⁻⁹ per replication and day): at most 2^60.
    fn sum(&mut self, what: &str) -> Result<u64, DecodeError> {
        let c = self.u64(what)?;
        if c > 1 << 60 {
            return Err(self.fail_at(self.at - 8, &format!("{what}: {c}, above any run's")));
        }
        Ok(c)
    }
    fn count_hist(&mut self) -> Result<CountHist, DecodeError> {
        let w = "a histogram of counts";
        let at = self.at;
        let base = self.u32(w)?;
        let n = self.len(8, w)?;
        let counts = (0..n).map(|_| self.count(w)).collect::<Result<_, _>>()?;
        CountHist::from_parts(base, counts).ok_or_else(|| {
            self.fail_at(
                at,
                "a histogram of counts not in its canonical form (zero first or last count)",
            )
        })
    }
    fn count_hists(&mut self) -> Result<Vec<CountHist>, DecodeError> {
        let n = self.len(12, "histograms of counts")?;
        (0..n).map(|_| self.count_hist()).collect()
    }
    fn nested_count_hists(&mut self, what: &str) -> Result<Vec<Vec<CountHist>>, DecodeError> {
        let n = self.len(8, what)?;
        (0..n).map(|_| self.count_hists()).collect()
    }
    fn log_hists(&mut self, what: &str) -> Result<Vec<LogHist>, DecodeError> {
        let n = self.len(8, what)?;
        (0..n)
            .map(|_| {
                let at = self.at;
                let m = self.len(8, what)?;
                let counts = (0..m).map(|_| self.count(what)).collect::<Result<_, _>>()?;
                LogHist::from_counts(counts).ok_or_else(|| {
                    self.fail_at(
                        at,
                        &format!(
                            "{what}: a histogram of {m} buckets, not {}",
                            LogHist::BUCKETS
                        ),
                    )
                })
            })
            .collect()
    }
    fn pooled(&mut self) -> Result<Pooled, DecodeError> {
        let open_total = self.count_hists()?;
        let open_by_type = self.nested_count_hists("open cases by type")?;
        let wait = self.log_hists("waiting times")?;
        let time_in_system = self.log_hists("times in system")?;
        let utilisation = self.nested_count_hists("utilisations")?;
        let n = self.len(8, "utilisation sums")?;
        let utilisation_sum = (0..n)
            .map(|_| {
                let m = self.len(8, "utilisation sums")?;
                (0..m)
                    .map(|_| self.sum("utilisation sums"))
                    .collect::<Result<Vec<u64>, _>>()
            })
            .collect::<Result<_, _>>()?;
        Ok(Pooled {
            open_total,
            open_by_type,
            wait,
            time_in_system,
            utilisation,
            utilisation_sum,
        })
    }
}
