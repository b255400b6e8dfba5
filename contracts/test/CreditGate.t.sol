// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {CreditGate} from "../CreditGate.sol";
import {IZkCreditVerifier} from "../IZkCreditVerifier.sol";
import {ZkCreditVerifier} from "../ZkCreditVerifier.sol";

/// A verifier that answers a fixed value, to reach the checks behind the proof check.
contract ConstantVerifier is IZkCreditVerifier {
    bool internal immutable ANSWER;

    constructor(bool answer) {
        ANSWER = answer;
    }

    function verifyProof(bytes calldata, uint256[] calldata) external view returns (bool) {
        return ANSWER;
    }
}

/// The credit gate with the committed verifier of the bundled German Credit model and two real
/// proofs for one borrower (nonces 1 and 2), from contracts/test/fixtures/german-credit.json
/// (regenerate: ZKCREDIT_UPDATE_SNAPSHOTS=1 cargo test --release -p zkcredit-script --test fixture).
contract CreditGateTest is Test {
    uint32 internal constant VERSION = 1;
    uint256 internal constant R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;

    CreditGate internal gate;
    IZkCreditVerifier internal verifier;
    address internal owner = makeAddr("owner");
    uint256 internal attesterKey;
    address internal attester;

    bytes[2] internal proofs;
    uint256[][2] internal instances;
    address internal borrower;
    uint256 internal modelId;
    uint256 internal threshold;

    function setUp() public {
        string memory json = vm.readFile("contracts/test/fixtures/german-credit.json");
        proofs[0] = vm.parseJsonBytes(json, ".proofs[0].proof");
        proofs[1] = vm.parseJsonBytes(json, ".proofs[1].proof");
        instances[0] = vm.parseJsonUintArray(json, ".proofs[0].instances");
        instances[1] = vm.parseJsonUintArray(json, ".proofs[1].instances");
        borrower = vm.parseJsonAddress(json, ".borrower");
        modelId = instances[0][4];
        threshold = instances[0][1];

        (attester, attesterKey) = makeAddrAndKey("attester");
        verifier = IZkCreditVerifier(address(new ZkCreditVerifier()));
        gate = new CreditGate(owner);
        vm.startPrank(owner);
        gate.setModel(VERSION, verifier, modelId, threshold);
        gate.setAttester(attester, true);
        vm.stopPrank();
    }

    // ------------------------------------------------------------ helpers
    /// An EIP-2098 compact signature.
    struct Sig {
        bytes32 r;
        bytes32 vs;
    }

    function _attest(uint256 key, uint256 commitment, address who, uint64 expiry)
        internal
        view
        returns (Sig memory sig)
    {
        (sig.r, sig.vs) = vm.signCompact(key, gate.attestationDigest(commitment, who, expiry));
    }

    function _expiry() internal view returns (uint64) {
        return uint64(block.timestamp + 1 days);
    }

    /// Submit proof i as `borrower` with a fresh attestation; expect `err` unless it is empty.
    function _submitExpecting(uint256 i, bytes memory err) internal {
        uint64 expiry = _expiry();
        Sig memory sig = _attest(attesterKey, instances[i][0], borrower, expiry);
        if (err.length > 0) vm.expectRevert(err);
        vm.prank(borrower);
        gate.submit(VERSION, proofs[i], instances[i], expiry, sig.r, sig.vs);
    }

    /// Submit proof i as `borrower`; expect the proof check to refuse it: the verifier returned
    /// false (`ProofRejected`) or refused the input with its own error, passed through.
    function _submitRefused(uint256 i) internal {
        uint64 expiry = _expiry();
        Sig memory sig = _attest(attesterKey, instances[i][0], borrower, expiry);
        vm.prank(borrower);
        try gate.submit(VERSION, proofs[i], instances[i], expiry, sig.r, sig.vs) {
            fail();
        } catch (bytes memory err) {
            // casting to 'bytes4' is safe because only the selector is compared
            // forge-lint: disable-next-line(unsafe-typecast)
            bytes4 sel = bytes4(err);
            assertTrue(
                sel == CreditGate.ProofRejected.selector || sel == IZkCreditVerifier.MalformedProof.selector
                    || sel == IZkCreditVerifier.PublicInputNotInField.selector
                    || sel == IZkCreditVerifier.MalformedCalldata.selector,
                "not refused by the proof check"
            );
        }
    }

    function _submit(uint256 i) internal {
        _submitExpecting(i, "");
    }

    function _expectNoApproval() internal view {
        assertFalse(gate.isApproved(borrower), "approved");
    }

    // ------------------------------------------------------------ the happy path
    function test_submit_approvesBorrower() public {
        uint64 expiry = _expiry();
        Sig memory sig = _attest(attesterKey, instances[0][0], borrower, expiry);
        vm.expectEmit(address(gate));
        emit CreditGate.Approved(borrower, VERSION, instances[0][0], 1, attester);
        vm.prank(borrower);
        gate.submit(VERSION, proofs[0], instances[0], expiry, sig.r, sig.vs);

        assertTrue(gate.isApproved(borrower));
        CreditGate.Approval memory a = gate.approvalOf(borrower);
        assertEq(a.nonce, 1);
        assertEq(a.modelVersion, VERSION);
        assertEq(a.approvedAt, block.timestamp);
        assertEq(a.attestationExpiry, expiry);
    }

    function test_submit_higherNonceAfterApproval() public {
        _submit(0);
        _submit(1);
        assertEq(gate.approvalOf(borrower).nonce, 2);
    }

    function test_verifierAcceptsFixtureProofs() public view {
        assertTrue(verifier.verifyProof(proofs[0], instances[0]));
        assertTrue(verifier.verifyProof(proofs[1], instances[1]));
    }

    // ------------------------------------------------------------ 1. proof
    function test_submit_unknownModelVersion_reverts() public {
        uint64 expiry = _expiry();
        Sig memory sig = _attest(attesterKey, instances[0][0], borrower, expiry);
        vm.expectRevert(abi.encodeWithSelector(CreditGate.UnknownModelVersion.selector, uint32(7)));
        vm.prank(borrower);
        gate.submit(7, proofs[0], instances[0], expiry, sig.r, sig.vs);
    }

    function test_submit_removedModelVersion_reverts() public {
        vm.prank(owner);
        gate.removeModel(VERSION);
        _submitExpecting(0, abi.encodeWithSelector(CreditGate.UnknownModelVersion.selector, VERSION));
    }

    function test_setModel_verifierNotContract_reverts() public {
        address eoa = makeAddr("eoa");
        vm.expectRevert(abi.encodeWithSelector(CreditGate.VerifierNotContract.selector, eoa));
        vm.prank(owner);
        gate.setModel(2, IZkCreditVerifier(eoa), modelId, threshold);
    }

    function test_submit_verifierWithoutCode_reverts() public {
        // Registration refuses code-less verifiers; should the code vanish, submit refuses too.
        vm.etch(address(verifier), "");
        _submitExpecting(0, abi.encodeWithSelector(CreditGate.VerifierNotContract.selector, address(verifier)));
        _expectNoApproval();
    }

    function test_submit_tamperedProof_reverts() public {
        proofs[0][100] ^= 0x01;
        _submitRefused(0);
        _expectNoApproval();
    }

    function test_submit_wrongHint_proofRejected() public {
        // The inversion hint (the proof's last word) with its low bit flipped: still below r, so
        // the input checks pass and the verifier answers false.
        proofs[0][proofs[0].length - 1] ^= 0x01;
        _submitExpecting(0, abi.encodeWithSelector(CreditGate.ProofRejected.selector));
        _expectNoApproval();
    }

    function test_submit_shortOfGas_revertsWithoutVerdict() public {
        // Enough gas to reach the pairing, not enough to run it: the verifier reverts with
        // PrecompileFailed(0x08) and the gate passes it through; it never says ProofRejected.
        uint64 expiry = _expiry();
        Sig memory sig = _attest(attesterKey, instances[0][0], borrower, expiry);
        vm.expectRevert(abi.encodeWithSelector(IZkCreditVerifier.PrecompileFailed.selector, uint256(8)));
        vm.prank(borrower);
        gate.submit{gas: 180_000}(VERSION, proofs[0], instances[0], expiry, sig.r, sig.vs);
        _expectNoApproval();
    }

    function test_submit_verifierReturnsFalse_reverts() public {
        IZkCreditVerifier no = new ConstantVerifier(false);
        vm.prank(owner);
        gate.setModel(VERSION, no, modelId, threshold);
        _submitExpecting(0, abi.encodeWithSelector(CreditGate.ProofRejected.selector));
    }

    function test_submit_otherProofsInstances_reverts() public {
        // Proof 0 with proof 1's public inputs (nonce 2): the verifier rejects it.
        instances[0] = instances[1];
        _submitRefused(0);
    }

    // ------------------------------------------------------------ 2. policy
    function test_submit_wrongThreshold_reverts() public {
        vm.prank(owner);
        gate.setModel(VERSION, verifier, modelId, threshold + 1);
        _submitExpecting(0, abi.encodeWithSelector(CreditGate.ThresholdMismatch.selector, threshold + 1, threshold));
    }

    function test_submit_wrongModelId_reverts() public {
        vm.prank(owner);
        gate.setModel(VERSION, verifier, modelId ^ 1, threshold);
        _submitExpecting(0, abi.encodeWithSelector(CreditGate.ModelMismatch.selector, modelId ^ 1, modelId));
    }

    function test_submit_wrongInstanceCount_reverts() public {
        IZkCreditVerifier yes = new ConstantVerifier(true);
        vm.prank(owner);
        gate.setModel(VERSION, yes, modelId, threshold);
        uint256[] memory four = new uint256[](4);
        uint64 expiry = _expiry();
        Sig memory sig = _attest(attesterKey, 0, borrower, expiry);
        vm.expectRevert(abi.encodeWithSelector(CreditGate.WrongInstanceCount.selector, uint256(4)));
        vm.prank(borrower);
        gate.submit(VERSION, proofs[0], four, expiry, sig.r, sig.vs);
    }

    // ------------------------------------------------------------ 3. borrower
    function test_submit_replayFromOtherAccount_reverts() public {
        address thief = makeAddr("thief");
        uint64 expiry = _expiry();
        Sig memory sig = _attest(attesterKey, instances[0][0], borrower, expiry);
        vm.expectRevert(abi.encodeWithSelector(CreditGate.BorrowerMismatch.selector, thief, uint256(uint160(borrower))));
        vm.prank(thief);
        gate.submit(VERSION, proofs[0], instances[0], expiry, sig.r, sig.vs);
        _expectNoApproval();
        assertFalse(gate.isApproved(thief));
    }

    // ------------------------------------------------------------ 4. nonce
    function test_submit_sameNonceTwice_reverts() public {
        _submit(0);
        _submitExpecting(0, abi.encodeWithSelector(CreditGate.NonceAlreadyUsed.selector, uint64(1), uint64(1)));
    }

    function test_submit_lowerNonceAfterHigher_reverts() public {
        _submit(1);
        _submitExpecting(0, abi.encodeWithSelector(CreditGate.NonceAlreadyUsed.selector, uint64(1), uint64(2)));
    }

    // ------------------------------------------------------------ 5. attestation
    function test_submit_expiredAttestation_reverts() public {
        uint64 expiry = _expiry();
        Sig memory sig = _attest(attesterKey, instances[0][0], borrower, expiry);
        vm.warp(uint256(expiry) + 1);
        vm.expectRevert(abi.encodeWithSelector(CreditGate.AttestationExpired.selector, expiry, uint256(expiry) + 1));
        vm.prank(borrower);
        gate.submit(VERSION, proofs[0], instances[0], expiry, sig.r, sig.vs);
        _expectNoApproval();
    }

    function test_submit_untrustedAttester_reverts() public {
        (address stranger, uint256 strangerKey) = makeAddrAndKey("stranger");
        uint64 expiry = _expiry();
        Sig memory sig = _attest(strangerKey, instances[0][0], borrower, expiry);
        vm.expectRevert(abi.encodeWithSelector(CreditGate.UntrustedAttester.selector, stranger));
        vm.prank(borrower);
        gate.submit(VERSION, proofs[0], instances[0], expiry, sig.r, sig.vs);
    }

    function test_submit_distrustedAttester_reverts() public {
        vm.prank(owner);
        gate.setAttester(attester, false);
        _submitExpecting(0, abi.encodeWithSelector(CreditGate.UntrustedAttester.selector, attester));
    }

    function test_submit_attestationOverOtherCommitment_reverts() public {
        uint64 expiry = _expiry();
        Sig memory sig = _attest(attesterKey, instances[0][0] ^ 1, borrower, expiry);
        vm.prank(borrower);
        vm.expectPartialRevert(CreditGate.UntrustedAttester.selector);
        gate.submit(VERSION, proofs[0], instances[0], expiry, sig.r, sig.vs);
    }

    function test_submit_attestationWithOtherExpiry_reverts() public {
        uint64 expiry = _expiry();
        Sig memory sig = _attest(attesterKey, instances[0][0], borrower, expiry);
        vm.prank(borrower);
        vm.expectPartialRevert(CreditGate.UntrustedAttester.selector);
        gate.submit(VERSION, proofs[0], instances[0], expiry + 1, sig.r, sig.vs);
    }

    function test_submit_malformedSignature_reverts() public {
        uint64 expiry = _expiry();
        Sig memory sig = _attest(attesterKey, instances[0][0], borrower, expiry);
        // A high s (above n / 2: the malleable half) is refused.
        bytes32 highS = bytes32(uint256(0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1));
        vm.expectRevert(CreditGate.InvalidSignature.selector);
        vm.prank(borrower);
        gate.submit(VERSION, proofs[0], instances[0], expiry, sig.r, highS);
        // A signature that recovers no address (r = 0).
        vm.expectRevert(CreditGate.InvalidSignature.selector);
        vm.prank(borrower);
        gate.submit(VERSION, proofs[0], instances[0], expiry, bytes32(0), sig.vs);
    }

    // ------------------------------------------------------------ governance
    function test_governance_onlyOwner() public {
        address stranger = makeAddr("stranger");
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(CreditGate.NotOwner.selector, stranger));
        gate.setModel(2, verifier, modelId, threshold);
        vm.expectRevert(abi.encodeWithSelector(CreditGate.NotOwner.selector, stranger));
        gate.setAttester(stranger, true);
        vm.expectRevert(abi.encodeWithSelector(CreditGate.NotOwner.selector, stranger));
        gate.removeModel(VERSION);
        vm.expectRevert(abi.encodeWithSelector(CreditGate.NotOwner.selector, stranger));
        gate.transferOwnership(stranger);
        vm.stopPrank();
    }

    function test_governance_eventsAndOwnership() public {
        address next = makeAddr("next");
        vm.startPrank(owner);
        vm.expectEmit(address(gate));
        emit CreditGate.AttesterSet(next, true);
        gate.setAttester(next, true);
        vm.expectEmit(address(gate));
        emit CreditGate.ModelSet(3, address(verifier), modelId, threshold);
        gate.setModel(3, verifier, modelId, threshold);
        vm.expectRevert(abi.encodeWithSelector(CreditGate.InvalidArgument.selector, "threshold"));
        gate.setModel(3, verifier, modelId, R);
        vm.expectEmit(address(gate));
        emit CreditGate.OwnershipTransferred(owner, next);
        gate.transferOwnership(next);
        vm.stopPrank();
        assertEq(gate.owner(), next);
    }

    // ------------------------------------------------------------ fuzz: nothing fake is approved
    function testFuzz_tamperedProofNeverApproved(uint256 index, uint8 mask) public {
        vm.assume(mask != 0);
        index = bound(index, 0, proofs[0].length - 1);
        proofs[0][index] ^= bytes1(mask);
        _submitRefused(0);
        _expectNoApproval();
    }

    function testFuzz_randomProofNeverApproved(bytes memory proof) public {
        proofs[0] = proof;
        _submitRefused(0);
        _expectNoApproval();
    }

    function testFuzz_changedPublicInputNeverApproved(uint8 which, uint256 delta) public {
        uint256 i = bound(which, 0, 4);
        // A threshold the policy can hold (|t| < 2^63); any other public input changes freely.
        delta = i == 1 ? bound(delta, 1, 2 ** 62) : delta;
        vm.assume(delta % R != 0);
        instances[0][i] = addmod(instances[0][i], delta, R);
        // Keep the other checks satisfied so only the proof check can refuse.
        vm.startPrank(owner);
        gate.setModel(VERSION, verifier, instances[0][4], instances[0][1]);
        vm.stopPrank();
        uint64 expiry = _expiry();
        Sig memory sig = _attest(attesterKey, instances[0][0], borrower, expiry);
        vm.expectRevert(CreditGate.ProofRejected.selector);
        vm.prank(borrower);
        gate.submit(VERSION, proofs[0], instances[0], expiry, sig.r, sig.vs);
        _expectNoApproval();
    }

    function testFuzz_aliasedPublicInputNeverApproved(uint8 which) public {
        uint256 i = bound(which, 0, 4);
        vm.assume(instances[0][i] < type(uint256).max - R);
        instances[0][i] += R;
        _submitExpecting(0, abi.encodeWithSelector(IZkCreditVerifier.PublicInputNotInField.selector, i));
        _expectNoApproval();
    }
}
