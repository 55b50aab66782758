//! The per-replication records of a run, held in memory while they are few and written to an
//! unnamed temporary file, in replication order, once they would take more than a budget: so
//! that a long run's peak memory does not grow with its number of replications.
//!
//! Why a file and not a sketch: the summary's quantiles are exact (Hyndman–Fan type 7 over every
//! replication's value), and `replications.csv` has a row per replication, so every record is
//! needed again after the simulation. Each consumer reads them back a chunk at a time
//! ([`RecordSet::for_each_chunk`]) and keeps only the values it needs (a column of 100,000
//! numbers is 0.8 MB; a met-2023 record is about 1.2 KB).
//!
//! The file holds each record as `shard.bin` encodes it (every number as its bits), so what is
//! read back is bit for bit what the simulation produced, and the outputs are the same whether
//! the records were spilled or not. The file is created with [`tempfile::tempfile`] in the
//! system's temporary directory (`TMPDIR` on Unix): it has no name, so it disappears when the
//! run ends, however it ends.

use crate::model::RepRecord;
use crate::scenario::Scenario;
use crate::shard::codec;

/// Records kept in memory before [`Records`] spills them [bytes, estimated]: 32 MiB, about
/// 27,000 replications of met-2023 (11 case types, 4 teams) or 45,000 of a one-team scenario.
/// Runs below it are not slowed by the file.
pub const IN_MEMORY_MAX: usize = 32 << 20;

/// Records encoded into one chunk of the file before it is written: the unit in which the file
/// is read back (about 2.5 MB of met-2023 records).
const CHUNK: usize = 2048;

/// Why records could not be spilled or read back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordsError {
    /// The temporary file could not be made, written or read.
    #[error("the temporary file of per-replication records in {dir}: {source}{hint}")]
    Io {
        dir: String,
        #[source]
        source: std::io::Error,
        /// What to do about it, when there is something (e.g. a full or missing directory).
        hint: &'static str,
    },
    /// What was read back is not what was written (the file was changed under the run).
    #[error("the temporary file of per-replication records was changed under the run: {0}")]
    Decode(#[from] codec::DecodeError),
}

impl PartialEq for RecordsError {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Clone for RecordsError {
    fn clone(&self) -> Self {
        match self {
            RecordsError::Io { dir, source, hint } => RecordsError::Io {
                dir: dir.clone(),
                source: std::io::Error::new(source.kind(), source.to_string()),
                hint,
            },
            RecordsError::Decode(e) => RecordsError::Decode(e.clone()),
        }
    }
}

/// For writers of files made from the records (`replications.csv`, `shard.bin`): the error as
/// I/O, its message still saying it was the temporary file's (not the file being written).
impl From<RecordsError> for std::io::Error {
    fn from(e: RecordsError) -> std::io::Error {
        let kind = match &e {
            RecordsError::Io { source, .. } => source.kind(),
            RecordsError::Decode(_) => std::io::ErrorKind::InvalidData,
        };
        std::io::Error::new(kind, e)
    }
}

/// An error of a temporary file in `TMPDIR`, with a hint where the user can do something about
/// it: a directory that is missing, not writable or full.
pub fn io_error(source: std::io::Error) -> RecordsError {
    use std::io::ErrorKind as K;
    let hint = match source.kind() {
        K::NotFound | K::PermissionDenied | K::ReadOnlyFilesystem => {
            " (a long run keeps its records there: set TMPDIR to a directory it may write)"
        }
        K::StorageFull | K::QuotaExceeded | K::WriteZero | K::FileTooLarge => {
            " (a long run keeps its records there, about 1.4 KB a replication of a scenario with 11 case types: set TMPDIR to a directory with room)"
        }
        _ => "",
    };
    RecordsError::Io {
        dir: std::env::temp_dir().display().to_string(),
        source,
        hint,
    }
}

/// Records of consecutive replications, in replication order, that can be read back a chunk at
/// a time: a `Vec` in memory, or [`Records`], which may be on disk.
pub trait RecordSet: Sync {
    /// How many records.
    fn count(&self) -> usize;
    /// Calls `f` with consecutive chunks of the records, in replication order (all of them at
    /// once when they are in memory), until they are done or `f` fails.
    fn try_for_each_chunk<E: From<RecordsError>>(
        &self,
        f: &mut dyn FnMut(&[RepRecord]) -> Result<(), E>,
    ) -> Result<(), E>;

    /// Calls `f` with consecutive chunks of the records, in replication order.
    fn for_each_chunk(&self, f: &mut dyn FnMut(&[RepRecord])) -> Result<(), RecordsError> {
        self.try_for_each_chunk(&mut |c| {
            f(c);
            Ok::<(), RecordsError>(())
        })
    }

    /// `f` of every record, in replication order: one pass over the records.
    fn column<T>(&self, f: impl Fn(&RepRecord) -> T) -> Result<Vec<T>, RecordsError>
    where
        Self: Sized,
    {
        let mut out = Vec::with_capacity(self.count());
        self.for_each_chunk(&mut |c| out.extend(c.iter().map(&f)))?;
        Ok(out)
    }
}

impl RecordSet for Vec<RepRecord> {
    fn count(&self) -> usize {
        self.len()
    }
    fn try_for_each_chunk<E: From<RecordsError>>(
        &self,
        f: &mut dyn FnMut(&[RepRecord]) -> Result<(), E>,
    ) -> Result<(), E> {
        f(self)
    }
}

/// Where the records of a run go as the engine produces them, in replication order.
pub trait RecordSink: RecordSet + Send {
    /// Adds `records`, which follow those already added.
    fn append(&mut self, records: Vec<RepRecord>) -> Result<(), RecordsError>;
}

impl RecordSink for Vec<RepRecord> {
    fn append(&mut self, records: Vec<RepRecord>) -> Result<(), RecordsError> {
        self.extend(records);
        Ok(())
    }
}

/// Records in memory up to a budget of bytes, then in an unnamed temporary file (see the module
/// documentation). Reading them back gives the same records, bit for bit, either way.
#[derive(Debug)]
pub struct Records {
    budget: usize,
    /// Records still in memory (all of them until the budget is passed; after it, none).
    held: Vec<RepRecord>,
    /// Estimated bytes of `held`.
    held_bytes: usize,
    spill: Option<Spill>,
    count: usize,
}

#[derive(Debug)]
struct Spill {
    file: std::fs::File,
    /// Written chunks: (offset, bytes, records).
    chunks: Vec<(u64, usize, usize)>,
    /// End of the written chunks [bytes].
    end: u64,
    /// Records encoded but not written yet (fewer than [`CHUNK`]), and how many.
    pending: Vec<u8>,
    pending_count: usize,
}

impl Spill {
    /// An empty spill in a new unnamed temporary file.
    fn create() -> Result<Spill, RecordsError> {
        Ok(Spill {
            file: tempfile::tempfile().map_err(io_error)?,
            chunks: Vec::new(),
            end: 0,
            pending: Vec::new(),
            pending_count: 0,
        })
    }
}

impl Default for Records {
    fn default() -> Self {
        Records::with_budget(IN_MEMORY_MAX)
    }
}

impl Records {
    /// Records that spill once they would take more than `budget` bytes (0: from the first
    /// record on; the tests use it to compare the two ways).
    pub fn with_budget(budget: usize) -> Records {
        Records {
            budget,
            held: Vec::new(),
            held_bytes: 0,
            spill: None,
            count: 0,
        }
    }

    /// Records of `replications` replications of `s`, with a budget of `budget` bytes: when
    /// they will not fit in it, the temporary file is made now, so that a directory that cannot
    /// take it fails the run before the simulation rather than after (the records then all go
    /// to the file: the same outputs).
    pub fn for_run(
        s: &Scenario,
        replications: u64,
        budget: usize,
    ) -> Result<Records, RecordsError> {
        let mut r = Records::with_budget(budget);
        if estimated_size(s).saturating_mul(replications as usize) > budget {
            r.spill = Some(Spill::create()?);
        }
        Ok(r)
    }

    /// Whether the records are on disk.
    pub fn spilled(&self) -> bool {
        self.spill.is_some()
    }

    fn push_spilled(spill: &mut Spill, r: &RepRecord) -> Result<(), RecordsError> {
        codec::write_record(&mut spill.pending, r);
        spill.pending_count += 1;
        if spill.pending_count == CHUNK {
            write_all_at(&spill.file, &spill.pending, spill.end).map_err(io_error)?;
            spill
                .chunks
                .push((spill.end, spill.pending.len(), spill.pending_count));
            spill.end += spill.pending.len() as u64;
            spill.pending.clear();
            spill.pending_count = 0;
        }
        Ok(())
    }
}

/// The estimated bytes a record of scenario `s` takes in memory, its vectors included, from the
/// scenario's shape (its encoding in a file takes about as many).
pub fn estimated_size(s: &Scenario) -> usize {
    let periods: usize = s.teams.iter().map(|t| t.staff.len()).sum();
    let hits = s.screening.as_ref().map_or(0, |x| x.hits.len());
    std::mem::size_of::<RepRecord>()
        + s.case_types.len() * std::mem::size_of::<crate::model::TypeRecord>()
        + s.backlog_targets().len() * std::mem::size_of::<Option<f64>>()
        + 8 * (s.sources.len() + hits + s.assumption_columns().len())
        + (s.teams.len() + periods) * std::mem::size_of::<crate::model::StaffTime>()
}

/// Estimated bytes a record takes in memory, its vectors included.
fn size_of_record(r: &RepRecord) -> usize {
    std::mem::size_of::<RepRecord>()
        + std::mem::size_of_val(&r.types[..])
        + std::mem::size_of_val(&r.back_to_target[..])
        + 8 * (r.source_days.len() + r.hit_rates.len() + r.assumptions.len())
        + std::mem::size_of_val(&r.teams[..])
        + std::mem::size_of_val(&r.periods[..])
}

impl RecordSink for Records {
    fn append(&mut self, records: Vec<RepRecord>) -> Result<(), RecordsError> {
        self.count += records.len();
        if self.spill.is_none() {
            self.held_bytes += records.iter().map(size_of_record).sum::<usize>();
            self.held.extend(records);
            if self.held_bytes <= self.budget {
                return Ok(());
            }
            let mut spill = Spill::create()?;
            for r in std::mem::take(&mut self.held) {
                Records::push_spilled(&mut spill, &r)?;
            }
            self.held_bytes = 0;
            self.spill = Some(spill);
            return Ok(());
        }
        let spill = self.spill.as_mut().expect("spilled");
        for r in &records {
            Records::push_spilled(spill, r)?;
        }
        Ok(())
    }
}

impl RecordSet for Records {
    fn count(&self) -> usize {
        self.count
    }
    fn try_for_each_chunk<E: From<RecordsError>>(
        &self,
        f: &mut dyn FnMut(&[RepRecord]) -> Result<(), E>,
    ) -> Result<(), E> {
        let Some(spill) = &self.spill else {
            return f(&self.held);
        };
        let mut bytes = Vec::new();
        for &(offset, len, n) in &spill.chunks {
            bytes.resize(len, 0);
            read_exact_at(&spill.file, &mut bytes, offset).map_err(io_error)?;
            f(&codec::read_records(&bytes, n).map_err(RecordsError::from)?)?;
        }
        if spill.pending_count > 0 {
            f(&codec::read_records(&spill.pending, spill.pending_count)
                .map_err(RecordsError::from)?)?;
        }
        Ok(())
    }
}

#[cfg(unix)]
fn write_all_at(file: &std::fs::File, buf: &[u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, offset)
}

#[cfg(unix)]
fn read_exact_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn write_all_at(file: &std::fs::File, mut buf: &[u8], mut offset: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_write(file, buf, offset)? {
            0 => return Err(std::io::ErrorKind::WriteZero.into()),
            n => {
                buf = &buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(windows)]
fn read_exact_at(file: &std::fs::File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records_of(n: u64) -> Vec<RepRecord> {
        let s = Scenario::default_scenario();
        crate::engine::run(&s, n, 7, &crate::engine::Silent)
            .expect("runs")
            .records
    }

    fn bytes(recs: &[RepRecord]) -> Vec<Vec<u8>> {
        recs.iter().map(codec::record_bytes).collect()
    }

    #[test]
    fn spilled_records_read_back_bit_for_bit_in_order_across_chunks() {
        // More than a chunk, appended in uneven pieces, with a pending tail.
        let recs = records_of(CHUNK as u64 / 16 + 3);
        let mut many = Vec::new();
        for _ in 0..17 {
            many.extend(recs.iter().cloned());
        }
        let mut store = Records::with_budget(0);
        for piece in many.chunks(37) {
            store.append(piece.to_vec()).expect("spills");
        }
        assert!(store.spilled());
        assert_eq!(store.count(), many.len());
        let mut back = Vec::new();
        let mut sizes = Vec::new();
        store
            .for_each_chunk(&mut |c| {
                sizes.push(c.len());
                back.extend_from_slice(c);
            })
            .expect("reads back");
        assert_eq!(bytes(&back), bytes(&many));
        assert!(sizes.len() >= 2 && sizes[0] == CHUNK, "{sizes:?}");
        // A column is one pass.
        let reps = store.column(|r| r.replication).expect("reads back");
        assert_eq!(reps, many.iter().map(|r| r.replication).collect::<Vec<_>>());
    }

    #[test]
    fn records_stay_in_memory_under_the_budget_and_spill_past_it() {
        let recs = records_of(40);
        let one = size_of_record(&recs[0]);
        let mut store = Records::with_budget(10 * one);
        store.append(recs[..10].to_vec()).expect("holds");
        assert!(!store.spilled());
        store.append(recs[10..20].to_vec()).expect("spills");
        assert!(store.spilled());
        store.append(recs[20..].to_vec()).expect("spills");
        let back = store.column(|r| r.clone()).expect("reads back");
        assert_eq!(bytes(&back), bytes(&recs));
    }

    #[test]
    fn the_estimate_of_a_scenario_is_the_size_of_its_records_and_decides_the_file_up_front() {
        let s = Scenario::default_scenario();
        let recs = records_of(3);
        assert_eq!(estimated_size(&s), size_of_record(&recs[0]));
        let one = estimated_size(&s);
        assert!(!Records::for_run(&s, 10, 10 * one).unwrap().spilled());
        assert!(Records::for_run(&s, 11, 10 * one).unwrap().spilled());
    }
}
