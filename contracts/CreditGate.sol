// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {IZkCreditVerifier} from "./IZkCreditVerifier.sol";

/// @title CreditGate
/// @notice The contract a lender deploys to act on zkcredit proofs: it approves a borrower, once
///         per nonce, when a proof shows that the lender's registered model, run on features a
///         trusted data provider attested to, scores the borrower at or above the lender's threshold.
/// @dev Governance: an owner-governed registry. The owner registers, per model version, the
///      verifier contract, the model id (public input 4) and the policy threshold (public input 1),
///      and the data attesters it trusts; every change emits an event. Approvals already recorded
///      stay recorded when the owner changes a policy (they carry the model version they were
///      granted under).
///
///      `submit` checks, in this order, each with its own custom error:
///        1. the model version is registered and its verifier is a contract that returns true for
///           (proof, instances)                      UnknownModelVersion, VerifierNotContract, ProofRejected
///           (a verifier that reverts, on malformed input or for lack of gas, passes its own error
///           through: MalformedCalldata, PublicInputNotInField, MalformedProof, PrecompileFailed);
///        2. the public inputs match the policy      WrongInstanceCount, ThresholdMismatch, ModelMismatch;
///        3. the borrower public input is msg.sender BorrowerMismatch;
///        4. the nonce is above the borrower's last  NonceAlreadyUsed;
///           used nonce (nonces are per borrower, start at 1 and must increase; a used nonce, or
///           any nonce below it, can never be submitted again);
///        5. the attestation is an EIP-712 signature by a trusted attester over
///           (featureCommitment, borrower, expiry) and has not expired
///                                                  AttestationExpired, InvalidSignature, UntrustedAttester.
///      Then it records the approval (and with it the used nonce) in one storage slot and emits
///      `Approved`. The only external call is a `staticcall` to the registered verifier (plus the
///      ecrecover precompile), made before any state is written: no reentrancy surface.
contract CreditGate {
    // ---------------------------------------------------------------- public-input ABI
    /// @notice Index of the Poseidon commitment to the private features (signed by the attester).
    uint256 public constant INSTANCE_FEATURE_COMMITMENT = 0;
    /// @notice Index of the fixed-point logit threshold (must equal the policy's).
    uint256 public constant INSTANCE_THRESHOLD = 1;
    /// @notice Index of the borrower address (must equal msg.sender).
    uint256 public constant INSTANCE_BORROWER = 2;
    /// @notice Index of the 64-bit replay nonce.
    uint256 public constant INSTANCE_NONCE = 3;
    /// @notice Index of the model id (must equal the registered model's).
    uint256 public constant INSTANCE_MODEL_ID = 4;
    /// @notice Number of public inputs of a zkcredit proof.
    uint256 public constant INSTANCE_COUNT = 5;

    /// @notice Batch proofs: public inputs before the slots (threshold, then model id).
    uint256 public constant BATCH_HEADER = 2;

    /// @notice The BN254 scalar field modulus: every public input is below it.
    uint256 internal constant R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;
    /// @notice secp256k1 n / 2: signatures with a larger s are malleable copies and are refused.
    uint256 internal constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    // ---------------------------------------------------------------- EIP-712
    /// @notice keccak256 of the attestation type a data provider signs.
    bytes32 public constant ATTESTATION_TYPEHASH =
        keccak256("Attestation(uint256 featureCommitment,address borrower,uint64 expiry)");
    /// @notice keccak256 of the batch attestation type: one signature over every slot's
    ///         (featureCommitment, account) words, `account = borrower << 64 | nonce`.
    bytes32 public constant BATCH_ATTESTATION_TYPEHASH = keccak256("BatchAttestation(uint256[] slots,uint64 expiry)");
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 internal constant NAME_HASH = keccak256("zkcredit CreditGate");
    bytes32 internal constant VERSION_HASH = keccak256("1");
    uint256 internal immutable CACHED_CHAIN_ID;
    bytes32 internal immutable CACHED_DOMAIN_SEPARATOR;

    // ---------------------------------------------------------------- state
    /// @notice One registered model version: its verifier and the policy proofs must match.
    /// @dev `submit` reads only the first slot: the verifier, the exact threshold (a fixed-point
    ///      logit; zkcredit bounds logits to 64 bits) and the low 32 bits of the model id. The full
    ///      model id is read only to report a mismatch. Comparing 32 bits suffices because the
    ///      model id is not the prover's choice: it is a constant of the circuit, so the registered
    ///      verifier accepts proofs for exactly one model id; the gate's comparison catches a
    ///      registration that pairs a verifier with another model's id (missed with odds 2^-32).
    struct ModelPolicy {
        IZkCreditVerifier verifier;
        int64 threshold;
        uint32 modelIdLow;
        uint256 modelId;
    }

    /// @notice The verifier of a model version's batch key and its number of slots.
    struct BatchVerifier {
        IZkCreditVerifier verifier;
        uint16 slots;
    }

    /// @notice A borrower's latest approval; `nonce` is also the highest nonce they have used.
    struct Approval {
        uint64 nonce;
        uint32 modelVersion;
        uint64 approvedAt;
        uint64 attestationExpiry;
    }

    /// @notice The owner: manages model versions and attesters.
    address public owner;
    /// @notice Model version => verifier and policy (read with `policyOf`).
    mapping(uint32 => ModelPolicy) internal models;
    /// @notice Model version => its batch verifier (for `slots` applicants per proof).
    mapping(uint32 => BatchVerifier) internal batchVerifiers;
    /// @notice Data providers whose attestations are accepted.
    mapping(address => bool) public trustedAttester;
    /// @notice Borrower => latest approval, packed as an `Approval` (zero if never approved).
    mapping(address => uint256) internal approvals;

    // ---------------------------------------------------------------- events
    /// @notice `owner` changed.
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    /// @notice A model version was registered or changed (verifier zero: removed).
    event ModelSet(uint32 indexed modelVersion, address indexed verifier, uint256 modelId, uint256 threshold);
    /// @notice A model version's batch verifier was registered or changed (zero: removed).
    event BatchVerifierSet(uint32 indexed modelVersion, address indexed verifier, uint16 slots);
    /// @notice An attester was trusted or distrusted.
    event AttesterSet(address indexed attester, bool trusted);
    /// @notice A borrower passed: proof valid, policy matched, attestation valid.
    event Approved(
        address indexed borrower, uint32 modelVersion, uint256 featureCommitment, uint64 nonce, address attester
    );

    // ---------------------------------------------------------------- errors
    /// @notice The caller is not the owner.
    error NotOwner(address caller);
    /// @notice A governance argument is invalid (`what` names it).
    error InvalidArgument(string what);
    /// @notice No verifier is registered for this model version.
    error UnknownModelVersion(uint32 modelVersion);
    /// @notice The registered verifier address holds no code.
    error VerifierNotContract(address verifier);
    /// @notice No batch verifier is registered for this model version.
    error UnknownBatchVerifier(uint32 modelVersion);
    /// @notice The verifier returned false: the proof is invalid for these public inputs. (A
    ///         verifier that reverts makes `submit` revert with the verifier's own error.)
    error ProofRejected();
    /// @notice The proof does not carry exactly `INSTANCE_COUNT` public inputs.
    error WrongInstanceCount(uint256 count);
    /// @notice Public input 1 is not the policy threshold of this model version.
    error ThresholdMismatch(uint256 expected, uint256 actual);
    /// @notice Public input 4 is not the model id registered for this model version.
    error ModelMismatch(uint256 expected, uint256 actual);
    /// @notice Public input 2 is not the caller's address.
    error BorrowerMismatch(address sender, uint256 borrower);
    /// @notice The nonce is not above the borrower's last used nonce.
    error NonceAlreadyUsed(uint64 nonce, uint64 lastUsed);
    /// @notice The attestation's expiry has passed.
    error AttestationExpired(uint64 expiry, uint256 nowTimestamp);
    /// @notice The attestation is not a valid low-s ECDSA signature (EIP-2098 compact form).
    error InvalidSignature();
    /// @notice The attestation was signed by an address the gate does not trust.
    error UntrustedAttester(address signer);

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    /// @param initialOwner The account that manages model versions and attesters.
    constructor(address initialOwner) {
        if (initialOwner == address(0)) revert InvalidArgument("owner");
        owner = initialOwner;
        CACHED_CHAIN_ID = block.chainid;
        CACHED_DOMAIN_SEPARATOR = _buildDomainSeparator();
        emit OwnershipTransferred(address(0), initialOwner);
    }

    // ---------------------------------------------------------------- governance
    /// @notice Hand the owner role to `newOwner`.
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert InvalidArgument("owner");
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    /// @notice Register (or replace) model version `modelVersion`.
    /// @param verifier The generated verifier for this model's verifying key.
    /// @param modelId Public input 4 of this model's proofs (`model_id` in the prover's output).
    /// @param threshold Public input 1 the policy requires: the fixed-point logit as a field
    ///        element (negative t as r - |t|), with |t| < 2^63 (zkcredit's logits are 64-bit).
    function setModel(uint32 modelVersion, IZkCreditVerifier verifier, uint256 modelId, uint256 threshold)
        external
        onlyOwner
    {
        if (address(verifier).code.length == 0) revert VerifierNotContract(address(verifier));
        if (modelId >= R) revert InvalidArgument("modelId");
        int64 t;
        if (threshold < 2 ** 63) {
            // forge-lint: disable-next-line(unsafe-typecast)
            t = int64(int256(threshold)); // < 2^63: fits
        } else if (threshold < R && threshold > R - 2 ** 63) {
            // forge-lint: disable-next-line(unsafe-typecast)
            t = -int64(int256(R - threshold)); // < 2^63: fits
        } else {
            revert InvalidArgument("threshold");
        }
        // forge-lint: disable-next-line(unsafe-typecast)
        models[modelVersion] = ModelPolicy(verifier, t, uint32(modelId), modelId); // low 32 bits on purpose
        emit ModelSet(modelVersion, address(verifier), modelId, threshold);
    }

    /// @notice Register (or replace, or with verifier zero remove) the batch verifier of model
    ///         version `modelVersion` (already registered with `setModel`: batches share its
    ///         model id and threshold).
    function setBatchVerifier(uint32 modelVersion, IZkCreditVerifier verifier, uint16 slots) external onlyOwner {
        if (address(models[modelVersion].verifier) == address(0)) revert UnknownModelVersion(modelVersion);
        if (address(verifier) != address(0) && address(verifier).code.length == 0) {
            revert VerifierNotContract(address(verifier));
        }
        if (slots == 0) revert InvalidArgument("slots");
        batchVerifiers[modelVersion] = BatchVerifier(verifier, slots);
        emit BatchVerifierSet(modelVersion, address(verifier), slots);
    }

    /// @notice Remove model version `modelVersion`: its proofs are refused from now on.
    function removeModel(uint32 modelVersion) external onlyOwner {
        delete models[modelVersion];
        delete batchVerifiers[modelVersion];
        emit ModelSet(modelVersion, address(0), 0, 0);
    }

    /// @notice Trust or distrust a data attester.
    function setAttester(address attester, bool trusted) external onlyOwner {
        if (attester == address(0)) revert InvalidArgument("attester");
        trustedAttester[attester] = trusted;
        emit AttesterSet(attester, trusted);
    }

    // ---------------------------------------------------------------- borrower entry point
    /// @notice Submit a zkcredit proof and an attestation; approves `msg.sender` on success.
    /// @param modelVersion The model version the proof was made for.
    /// @param proof The proof bytes (`proof` in the prover's proof JSON).
    /// @param instances The five public inputs (`instances` in the proof JSON).
    /// @param expiry The attestation's expiry (unix seconds).
    /// @param sigR The attester's EIP-712 signature over the `Attestation`, in the EIP-2098
    ///        compact form: r, and
    /// @param sigVs s with the parity of v (27 or 28) in its top bit.
    function submit(
        uint32 modelVersion,
        bytes calldata proof,
        uint256[] calldata instances,
        uint64 expiry,
        bytes32 sigR,
        bytes32 sigVs
    ) external {
        (int64 threshold, uint32 modelIdLow) = _checkProof(modelVersion, proof, instances); // 1.
        _checkPolicy(modelVersion, threshold, modelIdLow, instances); // 2.
        // 3. The proof is bound to the caller.
        if (instances[INSTANCE_BORROWER] != uint256(uint160(msg.sender))) {
            revert BorrowerMismatch(msg.sender, instances[INSTANCE_BORROWER]);
        }
        uint64 nonce = _checkNonce(instances[INSTANCE_NONCE]); // 4.
        uint256 featureCommitment = instances[INSTANCE_FEATURE_COMMITMENT];
        address attester = _checkAttestation(featureCommitment, expiry, sigR, sigVs); // 5.

        // Effects: the approval, which also marks the nonce used. No interaction follows.
        // One word, one store: nonce | modelVersion << 64 | approvedAt << 96 | attestationExpiry << 160.
        approvals[msg.sender] =
            uint256(nonce) | (uint256(modelVersion) << 64) | (block.timestamp << 96) | (uint256(expiry) << 160);
        emit Approved(msg.sender, modelVersion, featureCommitment, nonce, attester);
    }

    // ---------------------------------------------------------------- batch entry point
    /// @notice Submit a batch proof (one proof for the `slots` applicants of a batch key) with
    ///         one attestation by a trusted data provider over every slot; approves each borrower
    ///         in it, exactly as `submit` approves one (same record, same `Approved` event).
    /// @dev Checks, in order: the model version's batch verifier is registered and returns true
    ///      (UnknownBatchVerifier, VerifierNotContract, ProofRejected, or the verifier's own
    ///      revert); 2 + 2 * slots public inputs carrying the policy's threshold and model id
    ///      (WrongInstanceCount, ThresholdMismatch, ModelMismatch); the attestation: an EIP-712
    ///      `BatchAttestation(uint256[] slots, uint64 expiry)` signed by a trusted attester over
    ///      the proof's slot words (each slot's feature commitment and `borrower << 64 | nonce`),
    ///      not expired (AttestationExpired, InvalidSignature, UntrustedAttester); then, per slot,
    ///      the nonce above the borrower's last used one (NonceAlreadyUsed). Any failure reverts
    ///      the whole batch: nobody is approved. A slot with borrower zero is an empty slot of a
    ///      partial batch and approves nobody. Anyone may relay a batch: the attester's signature
    ///      over every slot's commitment, borrower and nonce is what authorizes the approvals,
    ///      and the nonces make a replay fail. The only external calls (the verifier, ecrecover)
    ///      come before any state is written.
    /// @param modelVersion The model version the batch keys were made for.
    /// @param proof The batch proof bytes (`proof` in the batch proof JSON).
    /// @param instances Its public inputs (`instances` in the batch proof JSON).
    /// @param expiry The batch attestation's expiry (unix seconds).
    /// @param sigR The attester's compact (EIP-2098) signature: r, and
    /// @param sigVs s with the parity of v in its top bit.
    function submitBatch(
        uint32 modelVersion,
        bytes calldata proof,
        uint256[] calldata instances,
        uint64 expiry,
        bytes32 sigR,
        bytes32 sigVs
    ) external {
        _checkBatch(modelVersion, proof, instances); // proof, instance count, threshold, model id
        address attester =
            _recoverTrusted(batchAttestationDigest(instances[BATCH_HEADER:], expiry), expiry, sigR, sigVs);
        _approveBatch(modelVersion, instances, expiry, attester);
    }

    /// @dev The batch verifier accepts the proof, whose public inputs are 2 + 2 * slots and
    ///      carry the policy's threshold and model id.
    function _checkBatch(uint32 modelVersion, bytes calldata proof, uint256[] calldata instances) internal view {
        BatchVerifier memory batch = batchVerifiers[modelVersion];
        if (address(batch.verifier) == address(0)) revert UnknownBatchVerifier(modelVersion);
        ModelPolicy storage policy = models[modelVersion];
        (int64 threshold, uint32 modelIdLow) = (policy.threshold, policy.modelIdLow);
        _callVerifier(address(batch.verifier), proof, instances);
        if (instances.length != BATCH_HEADER + 2 * uint256(batch.slots)) revert WrongInstanceCount(instances.length);
        _checkThresholdAndModel(modelVersion, threshold, modelIdLow, instances[0], instances[1]);
    }

    /// @dev Per slot: the nonce above the borrower's last, then the approval (which also marks
    ///      the nonce used) and its event. Empty slots (borrower zero) are skipped.
    function _approveBatch(uint32 modelVersion, uint256[] calldata instances, uint64 expiry, address attester)
        internal
    {
        uint256 stamp = (uint256(modelVersion) << 64) | (block.timestamp << 96) | (uint256(expiry) << 160);
        uint256 end = instances.length; // 2 + 2 * slots, checked by _checkBatch
        for (uint256 i = BATCH_HEADER; i < end;) {
            uint256 account = instances[i + 1]; // < 2^224: the circuit decomposes it into 224 bits
            // forge-lint: disable-next-line(unsafe-typecast)
            address borrower = address(uint160(account >> 64)); // the top 160 of 224 bits
            if (borrower != address(0)) {
                // An applicant (borrower zero marks an empty slot).
                // forge-lint: disable-next-line(unsafe-typecast)
                uint64 nonce = uint64(account); // the low 64 bits, by the ABI
                // forge-lint: disable-next-line(unsafe-typecast)
                uint64 lastUsed = uint64(approvals[borrower]);
                if (nonce <= lastUsed) revert NonceAlreadyUsed(nonce, lastUsed);
                approvals[borrower] = uint256(nonce) | stamp;
                emit Approved(borrower, modelVersion, instances[i], nonce, attester);
            }
            unchecked {
                i += 2; // below end <= 2 + 2 * 65535
            }
        }
    }

    // ---------------------------------------------------------------- views
    /// @notice Model version `modelVersion`'s batch verifier and its slots (zero if none).
    function batchVerifierOf(uint32 modelVersion) external view returns (address verifier, uint16 slots) {
        BatchVerifier storage b = batchVerifiers[modelVersion];
        return (address(b.verifier), b.slots);
    }

    /// @notice The EIP-712 digest an attester signs for a batch: its slot words (each slot's
    ///         feature commitment and `borrower << 64 | nonce`, in the proof's order) and expiry.
    function batchAttestationDigest(uint256[] calldata slots, uint64 expiry) public view returns (bytes32) {
        bytes32 slotsHash; // keccak256(abi.encodePacked(slots)), hashed straight from calldata
        assembly ("memory-safe") {
            let m := mload(0x40)
            let len := shl(5, slots.length)
            calldatacopy(m, slots.offset, len)
            slotsHash := keccak256(m, len)
        }
        bytes32 structHash = keccak256(abi.encode(BATCH_ATTESTATION_TYPEHASH, slotsHash, expiry));
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
    }

    /// @notice Model version `modelVersion`'s verifier, model id and threshold word (all zero if none).
    function policyOf(uint32 modelVersion)
        external
        view
        returns (address verifier, uint256 modelId, uint256 threshold)
    {
        ModelPolicy storage p = models[modelVersion];
        return (address(p.verifier), p.modelId, address(p.verifier) == address(0) ? 0 : _thresholdWord(p.threshold));
    }

    /// @notice Whether `borrower` has ever been approved.
    function isApproved(address borrower) external view returns (bool) {
        return approvals[borrower] != 0;
    }

    /// @notice `borrower`'s latest approval (all zero if none).
    function approvalOf(address borrower) external view returns (Approval memory a) {
        uint256 w = approvals[borrower];
        // forge-lint: disable-next-line(unsafe-typecast)
        a = Approval(uint64(w), uint32(w >> 64), uint64(w >> 96), uint64(w >> 160)); // unpacking, by design
    }

    /// @notice The EIP-712 domain separator (name "zkcredit CreditGate", version "1").
    function domainSeparator() public view returns (bytes32) {
        return block.chainid == CACHED_CHAIN_ID ? CACHED_DOMAIN_SEPARATOR : _buildDomainSeparator();
    }

    /// @notice The EIP-712 digest an attester signs for (featureCommitment, borrower, expiry).
    function attestationDigest(uint256 featureCommitment, address borrower, uint64 expiry)
        public
        view
        returns (bytes32)
    {
        bytes32 structHash = keccak256(abi.encode(ATTESTATION_TYPEHASH, featureCommitment, borrower, expiry));
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
    }

    // ---------------------------------------------------------------- internals
    /// @dev Check 1: a registered verifier, holding code, returns true for (proof, instances).
    ///      Returns the policy threshold, read in the same storage slot as the verifier.
    function _checkProof(uint32 modelVersion, bytes calldata proof, uint256[] calldata instances)
        internal
        view
        returns (int64 threshold, uint32 modelIdLow)
    {
        ModelPolicy storage policy = models[modelVersion];
        address verifier = address(policy.verifier);
        (threshold, modelIdLow) = (policy.threshold, policy.modelIdLow);
        if (verifier == address(0)) revert UnknownModelVersion(modelVersion);
        _callVerifier(verifier, proof, instances);
    }

    /// @dev `verifier.verifyProof(proof, instances)` must return true.
    function _callVerifier(address verifier, bytes calldata proof, uint256[] calldata instances) internal view {
        bytes4 selector = IZkCreditVerifier.verifyProof.selector;
        bool accepted;
        // abi.encodeCall(verifyProof, (proof, instances)), written straight from calldata.
        assembly ("memory-safe") {
            let m := mload(0x40)
            let proofLen := proof.length
            let padded := and(add(proofLen, 31), not(31))
            mstore(m, selector)
            mstore(add(m, 0x04), 0x40)
            mstore(add(m, 0x24), add(0x60, padded))
            mstore(add(m, 0x44), proofLen)
            if padded { mstore(add(m, add(0x44, padded)), 0) }
            calldatacopy(add(m, 0x64), proof.offset, proofLen)
            let inst := add(add(m, 0x64), padded)
            mstore(inst, instances.length)
            let instLen := shl(5, instances.length)
            calldatacopy(add(inst, 0x20), instances.offset, instLen)
            // All the gas is forwarded (the verifier gets 63/64 of what is left here). A verifier
            // revert (malformed input, or a precompile short of gas) is passed through as it is:
            // only a returned false is a verdict on the proof.
            if iszero(staticcall(gas(), verifier, m, sub(add(add(inst, 0x20), instLen), m), 0x00, 0x20)) {
                returndatacopy(m, 0, returndatasize())
                revert(m, returndatasize())
            }
            accepted := and(eq(returndatasize(), 0x20), eq(mload(0x00), 1))
        }
        if (!accepted) {
            // Code is checked only on failure: the staticcall already paid for the cold account.
            if (verifier.code.length == 0) revert VerifierNotContract(verifier);
            revert ProofRejected();
        }
    }

    /// @dev Check 2: the public inputs carry this model version's threshold and model id.
    function _checkPolicy(uint32 modelVersion, int64 threshold, uint32 modelIdLow, uint256[] calldata instances)
        internal
        view
    {
        if (instances.length != INSTANCE_COUNT) revert WrongInstanceCount(instances.length);
        _checkThresholdAndModel(
            modelVersion, threshold, modelIdLow, instances[INSTANCE_THRESHOLD], instances[INSTANCE_MODEL_ID]
        );
    }

    /// @dev The threshold and model id public inputs are the policy's.
    function _checkThresholdAndModel(
        uint32 modelVersion,
        int64 threshold,
        uint32 modelIdLow,
        uint256 thresholdWord,
        uint256 modelIdWord
    ) internal view {
        uint256 expected = _thresholdWord(threshold);
        if (thresholdWord != expected) revert ThresholdMismatch(expected, thresholdWord);
        // Low 32 bits only (see ModelPolicy); the full id is read to report a mismatch.
        // forge-lint: disable-next-line(unsafe-typecast)
        if (uint32(modelIdWord) != modelIdLow) revert ModelMismatch(models[modelVersion].modelId, modelIdWord);
    }

    /// @dev A signed threshold as the field element the circuit uses (negative t is r - |t|).
    function _thresholdWord(int64 t) internal pure returns (uint256) {
        // forge-lint: disable-next-line(unsafe-typecast)
        return t >= 0 ? uint256(int256(t)) : R - uint256(-int256(t)); // both non-negative here
    }

    /// @dev Check 4: the nonce is above the caller's last used nonce (the circuit makes it 64-bit).
    function _checkNonce(uint256 word) internal view returns (uint64 nonce) {
        // forge-lint: disable-next-line(unsafe-typecast)
        uint64 lastUsed = uint64(approvals[msg.sender]); // the low 64 bits hold the nonce
        // forge-lint: disable-next-line(unsafe-typecast)
        nonce = uint64(word); // checked on the next line: a word above 2^64 - 1 is refused
        if (word > type(uint64).max || nonce <= lastUsed) revert NonceAlreadyUsed(nonce, lastUsed);
    }

    function _buildDomainSeparator() internal view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }

    /// @dev Check 5: a trusted attester signed (featureCommitment, msg.sender, expiry), not expired.
    function _checkAttestation(uint256 featureCommitment, uint64 expiry, bytes32 sigR, bytes32 sigVs)
        internal
        view
        returns (address attester)
    {
        bytes32 domain = domainSeparator();
        bytes32 typeHash = ATTESTATION_TYPEHASH;
        bytes32 digest;
        // The same digest as attestationDigest(featureCommitment, msg.sender, expiry), without
        // Solidity's memory copies (this is on every borrower's path).
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typeHash)
            mstore(add(m, 0x20), featureCommitment)
            mstore(add(m, 0x40), caller())
            mstore(add(m, 0x60), expiry)
            let structHash := keccak256(m, 0x80)
            mstore(m, 0x1901)
            mstore(add(m, 0x20), domain)
            mstore(add(m, 0x40), structHash)
            digest := keccak256(add(m, 0x1e), 0x42) // "\x19\x01" || domain || structHash
        }
        attester = _recoverTrusted(digest, expiry, sigR, sigVs);
    }

    /// @dev The trusted attester whose low-s compact signature over `digest` this is, before `expiry`.
    function _recoverTrusted(bytes32 digest, uint64 expiry, bytes32 sigR, bytes32 sigVs)
        internal
        view
        returns (address attester)
    {
        // Expiries are coarse (hours to days): a validator's few seconds of timestamp drift do not matter.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > expiry) revert AttestationExpired(expiry, block.timestamp);
        bytes32 s = sigVs & bytes32(type(uint256).max >> 1);
        if (uint256(s) > HALF_N) revert InvalidSignature();
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, digest)
            mstore(add(m, 0x20), add(shr(255, sigVs), 27))
            mstore(add(m, 0x40), sigR)
            mstore(add(m, 0x60), s)
            mstore(0x00, 0)
            pop(staticcall(gas(), 0x01, m, 0x80, 0x00, 0x20))
            attester := mload(0x00)
        }
        if (attester == address(0)) revert InvalidSignature();
        if (!trustedAttester[attester]) revert UntrustedAttester(attester);
    }
}
