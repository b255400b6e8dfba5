//! A minimal embedded EVM (revm) to deploy verifiers and measure verification gas.
//!
//! The fork is pinned to Osaka (mainnet since December 2025): its 2^24 per-transaction gas cap
//! and EIP-7883 modexp pricing apply to every figure measured here.

use revm::context::{Context, TxEnv};
use revm::context_interface::result::{ExecutionResult, Output, ResultGas};
use revm::database::{CacheDB, EmptyDB};
use revm::primitives::hardfork::SpecId;
use revm::primitives::{Address, Bytes, Log, TxKind};
use revm::{ExecuteCommitEvm, MainBuilder, MainContext};

use crate::error::{Error, Result};

/// The fork every gas figure is measured on.
pub const SPEC: SpecId = SpecId::OSAKA;
/// Gas limit of measured transactions (below Osaka's 2^24 cap).
pub const TX_GAS_LIMIT: u64 = 16_000_000;

/// Outcome of a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallOutcome {
    /// Whether execution succeeded (did not revert or halt).
    pub success: bool,
    /// Transaction gas used: intrinsic 21k + calldata + execution, or the EIP-7623 calldata
    /// floor when that is higher.
    pub gas_used: u64,
    /// Execution gas alone: transaction gas before the floor, minus the intrinsic gas.
    pub exec_gas: u64,
    /// Return or revert data.
    pub output: Vec<u8>,
    /// Logs emitted (empty unless the call succeeded).
    pub logs: Vec<Log>,
}

impl CallOutcome {
    /// Succeeded and returned ABI `true`.
    pub fn returned_true(&self) -> bool {
        self.success && self.output.len() == 32 && self.output[31] == 1 && self.output[..31].iter().all(|b| *b == 0)
    }
}

/// An in-memory chain (chain id 1). Transactions come from [`Evm::caller`] and run in a block
/// with timestamp [`Evm::timestamp`]; nonces and balances are not checked.
pub struct Evm {
    db: CacheDB<EmptyDB>,
    caller: Address,
    timestamp: u64,
}

/// The block timestamp a fresh [`Evm`] starts at (2026-11-21T00:00:00Z).
pub const GENESIS_TIMESTAMP: u64 = 1_795_219_200;

impl Default for Evm {
    fn default() -> Self {
        Evm { db: CacheDB::new(EmptyDB::default()), caller: Address::with_last_byte(0xca), timestamp: GENESIS_TIMESTAMP }
    }
}

impl Evm {
    /// A fresh chain.
    pub fn new() -> Self {
        Self::default()
    }

    /// The sender of the next transactions.
    pub fn caller(&self) -> Address {
        self.caller
    }

    /// Send the next transactions from `caller`.
    pub fn set_caller(&mut self, caller: Address) {
        self.caller = caller;
    }

    /// The block timestamp of the next transactions.
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// Run the next transactions in a block with this timestamp.
    pub fn set_timestamp(&mut self, timestamp: u64) {
        self.timestamp = timestamp;
    }

    fn transact(&mut self, kind: TxKind, data: Vec<u8>, gas_limit: u64) -> Result<ExecutionResult> {
        let timestamp = self.timestamp;
        let mut evm = Context::mainnet()
            .with_db(&mut self.db)
            .modify_block_chained(|block| block.timestamp = revm::primitives::U256::from(timestamp))
            .modify_cfg_chained(|cfg| {
                cfg.spec = SPEC;
                cfg.disable_nonce_check = true;
                cfg.limit_contract_code_size = Some(usize::MAX);
            })
            .build_mainnet();
        let tx = TxEnv::builder()
            .caller(self.caller)
            .kind(kind)
            .data(Bytes::from(data))
            .gas_limit(gas_limit)
            .build()
            .map_err(|e| Error::Evm(format!("{e:?}")))?;
        evm.transact_commit(tx).map_err(|e| Error::Evm(format!("{e:?}")))
    }

    /// Runtime bytecode size at `address` (0 for an account without code).
    pub fn code_size(&self, address: Address) -> usize {
        self.db.cache.accounts.get(&address).and_then(|a| a.info.code.as_ref()).map_or(0, |c| c.original_bytes().len())
    }

    /// Deploy init code; returns the address and the deployment gas.
    pub fn deploy(&mut self, name: &str, creation: &[u8]) -> Result<(Address, u64)> {
        match self.transact(TxKind::Create, creation.to_vec(), TX_GAS_LIMIT)? {
            ExecutionResult::Success { output: Output::Create(_, Some(addr)), gas, .. } => Ok((addr, gas.tx_gas_used())),
            other => Err(Error::Deploy { contract: name.into(), reason: format!("{other:?}") }),
        }
    }

    /// Call a contract with [`TX_GAS_LIMIT`].
    pub fn call(&mut self, to: Address, calldata: &[u8]) -> Result<CallOutcome> {
        self.call_with_gas_limit(to, calldata, TX_GAS_LIMIT)
    }

    /// Call a contract in a transaction with this gas limit. A limit below the transaction's
    /// intrinsic gas (or its EIP-7623 calldata floor) is an [`Error::Evm`]: no such transaction
    /// is valid.
    pub fn call_with_gas_limit(&mut self, to: Address, calldata: &[u8], gas_limit: u64) -> Result<CallOutcome> {
        let intrinsic = intrinsic_gas(calldata);
        let outcome = |success: bool, gas: &ResultGas, output: Vec<u8>, logs: Vec<Log>| CallOutcome {
            success,
            gas_used: gas.tx_gas_used(),
            exec_gas: gas.total_gas_spent().saturating_sub(intrinsic),
            output,
            logs,
        };
        Ok(match self.transact(TxKind::Call(to), calldata.to_vec(), gas_limit)? {
            ExecutionResult::Success { gas, output, logs, .. } => outcome(true, &gas, output.into_data().to_vec(), logs),
            ExecutionResult::Revert { gas, output, .. } => outcome(false, &gas, output.to_vec(), vec![]),
            ExecutionResult::Halt { gas, .. } => outcome(false, &gas, vec![], vec![]),
        })
    }
}

/// Intrinsic gas of a call: 21,000 plus 16 per non-zero and 4 per zero calldata byte.
pub fn intrinsic_gas(calldata: &[u8]) -> u64 {
    21_000 + calldata_gas(calldata)
}

/// Standard calldata gas: 16 per non-zero byte, 4 per zero byte.
pub fn calldata_gas(calldata: &[u8]) -> u64 {
    calldata.iter().map(|b| if *b == 0 { 4 } else { 16 }).sum()
}
