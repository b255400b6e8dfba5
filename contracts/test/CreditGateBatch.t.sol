// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {CreditGate} from "../CreditGate.sol";
import {IZkCreditVerifier} from "../IZkCreditVerifier.sol";
import {ConstantVerifier} from "./CreditGate.t.sol";
import {ZkCreditBatchVerifier} from "../ZkCreditBatchVerifier.sol";

/// The gate's batch path: with the committed batch verifier of the bundled model (8 slots) and a
/// real batch proof of four sample applicants (contracts/test/fixtures/german-credit-batch.json,
/// regenerate: ZKCREDIT_UPDATE_SNAPSHOTS=1 cargo test --release -p zkcredit-verifier-codegen --test batch),
/// and with a verifier that answers a fixed value, to reach every check behind the proof check:
/// each borrower approved once; any failing check reverts the whole batch and approves nobody.
contract CreditGateBatchTest is Test {
    uint32 internal constant VERSION = 1;
    uint16 internal constant SLOTS = 4;
    uint256 internal constant MODEL_ID = 0x1234567890abcdef;
    uint256 internal constant THRESHOLD = 5;

    CreditGate internal gate;
    address internal owner = makeAddr("owner");
    uint256 internal attesterKey;
    address internal attester;
    address[3] internal borrowers;

    function setUp() public {
        (attester, attesterKey) = makeAddrAndKey("attester");
        borrowers = [makeAddr("b1"), makeAddr("b2"), makeAddr("b3")];
        gate = new CreditGate(owner);
        vm.startPrank(owner);
        gate.setModel(VERSION, new ConstantVerifier(true), MODEL_ID, THRESHOLD);
        gate.setBatchVerifier(VERSION, new ConstantVerifier(true), SLOTS);
        gate.setAttester(attester, true);
        vm.stopPrank();
    }

    /// Three borrowers with `nonce` and one empty slot.
    function _instances(uint64 nonce) internal view returns (uint256[] memory inst) {
        inst = new uint256[](2 + 2 * SLOTS);
        (inst[0], inst[1]) = (THRESHOLD, MODEL_ID);
        for (uint256 i = 0; i < 3; i++) {
            inst[2 + 2 * i] = 1000 + i; // feature commitment
            inst[3 + 2 * i] = (uint256(uint160(borrowers[i])) << 64) | nonce;
        }
        (inst[8], inst[9]) = (1000, 0); // empty slot: borrower zero
    }

    function _slots(uint256[] memory inst) internal pure returns (uint256[] memory s) {
        s = new uint256[](inst.length - 2);
        for (uint256 i = 0; i < s.length; i++) {
            s[i] = inst[i + 2];
        }
    }

    function _submit(uint256[] memory inst, uint256 key, uint64 expiry, bytes memory err) internal {
        (bytes32 r, bytes32 vs) = vm.signCompact(key, gate.batchAttestationDigest(_slots(inst), expiry));
        if (err.length > 0) vm.expectRevert(err);
        gate.submitBatch(VERSION, hex"00", inst, expiry, r, vs);
    }

    function _expiry() internal view returns (uint64) {
        return uint64(block.timestamp + 1 days);
    }

    function _assertNobodyApproved() internal view {
        for (uint256 i = 0; i < 3; i++) {
            assertFalse(gate.isApproved(borrowers[i]), "approved");
        }
    }

    function test_submitBatch_approvesEachBorrowerOnce() public {
        uint256[] memory inst = _instances(1);
        for (uint256 i = 0; i < 3; i++) {
            vm.expectEmit(address(gate));
            emit CreditGate.Approved(borrowers[i], VERSION, 1000 + i, 1, attester);
        }
        _submit(inst, attesterKey, _expiry(), "");
        for (uint256 i = 0; i < 3; i++) {
            CreditGate.Approval memory a = gate.approvalOf(borrowers[i]);
            assertEq(a.nonce, 1);
            assertEq(a.modelVersion, VERSION);
            assertTrue(gate.isApproved(borrowers[i]));
        }
        assertFalse(gate.isApproved(address(0)), "the empty slot approved the zero address");
        // The same batch again: NonceAlreadyUsed, nothing changes.
        _submit(inst, attesterKey, _expiry(), abi.encodeWithSelector(CreditGate.NonceAlreadyUsed.selector, 1, 1));
        // A later batch with higher nonces passes.
        _submit(_instances(2), attesterKey, _expiry(), "");
        assertEq(gate.approvalOf(borrowers[2]).nonce, 2);
    }

    function test_submitBatch_oneReusedNonce_approvesNobody() public {
        // Borrower 2 already used nonce 3 (through a batch of its own: the other slots empty).
        uint256[] memory first = _instances(3);
        first[3] = first[5] = 0;
        _submit(first, attesterKey, _expiry(), "");
        _submit(
            _instances(3), attesterKey, _expiry(), abi.encodeWithSelector(CreditGate.NonceAlreadyUsed.selector, 3, 3)
        );
        assertFalse(gate.isApproved(borrowers[0]));
        assertFalse(gate.isApproved(borrowers[1]));
    }

    function test_submitBatch_attestationProblems_approveNobody() public {
        uint256[] memory inst = _instances(1);
        uint64 expiry = _expiry();
        // Expired.
        vm.warp(uint256(expiry) + 1);
        _submit(
            inst,
            attesterKey,
            expiry,
            abi.encodeWithSelector(CreditGate.AttestationExpired.selector, expiry, block.timestamp)
        );
        expiry = _expiry();
        // Signed by an untrusted key.
        (address other, uint256 otherKey) = makeAddrAndKey("other");
        _submit(inst, otherKey, expiry, abi.encodeWithSelector(CreditGate.UntrustedAttester.selector, other));
        // Signed over other slots (one slot's borrower not attested): another signer recovers.
        uint256[] memory attested = _instances(1);
        attested[5] = (uint256(uint160(makeAddr("someone else"))) << 64) | 1;
        (bytes32 r, bytes32 vs) = vm.signCompact(attesterKey, gate.batchAttestationDigest(_slots(attested), expiry));
        vm.expectPartialRevert(CreditGate.UntrustedAttester.selector);
        gate.submitBatch(VERSION, hex"00", inst, expiry, r, vs);
        // Signed for another expiry.
        (r, vs) = vm.signCompact(attesterKey, gate.batchAttestationDigest(_slots(inst), expiry + 1));
        vm.expectPartialRevert(CreditGate.UntrustedAttester.selector);
        gate.submitBatch(VERSION, hex"00", inst, expiry, r, vs);
        _assertNobodyApproved();
    }

    function test_submitBatch_policyMismatches_approveNobody() public {
        uint256[] memory inst = _instances(1);
        inst[0] = THRESHOLD - 1;
        _submit(
            inst,
            attesterKey,
            _expiry(),
            abi.encodeWithSelector(CreditGate.ThresholdMismatch.selector, THRESHOLD, THRESHOLD - 1)
        );
        inst = _instances(1);
        inst[1] = MODEL_ID + 1;
        _submit(
            inst,
            attesterKey,
            _expiry(),
            abi.encodeWithSelector(CreditGate.ModelMismatch.selector, MODEL_ID, MODEL_ID + 1)
        );
        uint256[] memory short = new uint256[](2 + 2 * (SLOTS - 1));
        _submit(
            short, attesterKey, _expiry(), abi.encodeWithSelector(CreditGate.WrongInstanceCount.selector, short.length)
        );
        _assertNobodyApproved();
    }

    function test_submitBatch_verifierRefusals() public {
        uint256[] memory inst = _instances(1);
        ConstantVerifier no = new ConstantVerifier(false);
        vm.prank(owner);
        gate.setBatchVerifier(VERSION, no, SLOTS);
        _submit(inst, attesterKey, _expiry(), abi.encodeWithSelector(CreditGate.ProofRejected.selector));
        vm.prank(owner);
        gate.removeModel(VERSION);
        _submit(inst, attesterKey, _expiry(), abi.encodeWithSelector(CreditGate.UnknownBatchVerifier.selector, VERSION));
        _assertNobodyApproved();
    }

    function test_setBatchVerifier_governance() public {
        vm.expectRevert(abi.encodeWithSelector(CreditGate.NotOwner.selector, address(this)));
        gate.setBatchVerifier(VERSION, IZkCreditVerifier(address(0)), SLOTS);
        vm.startPrank(owner);
        vm.expectRevert(abi.encodeWithSelector(CreditGate.UnknownModelVersion.selector, 7));
        gate.setBatchVerifier(7, IZkCreditVerifier(address(0)), SLOTS);
        vm.expectRevert(abi.encodeWithSelector(CreditGate.InvalidArgument.selector, "slots"));
        gate.setBatchVerifier(VERSION, IZkCreditVerifier(address(0)), 0);
        vm.expectRevert(abi.encodeWithSelector(CreditGate.VerifierNotContract.selector, address(0xdead)));
        gate.setBatchVerifier(VERSION, IZkCreditVerifier(address(0xdead)), SLOTS);
        vm.expectEmit(address(gate));
        emit CreditGate.BatchVerifierSet(VERSION, address(0), SLOTS);
        gate.setBatchVerifier(VERSION, IZkCreditVerifier(address(0)), SLOTS);
        vm.stopPrank();
        (address v, uint16 slots) = gate.batchVerifierOf(VERSION);
        assertEq(v, address(0));
        assertEq(slots, SLOTS);
    }

    function test_submitBatch_realProof_approvesTheFourApplicants() public {
        string memory json = vm.readFile("contracts/test/fixtures/german-credit-batch.json");
        bytes memory proof = vm.parseJsonBytes(json, ".proof");
        uint256[] memory inst = vm.parseJsonUintArray(json, ".instances");
        address[] memory who = vm.parseJsonAddressArray(json, ".borrowers");
        CreditGate real = new CreditGate(owner);
        ZkCreditBatchVerifier verifier = new ZkCreditBatchVerifier();
        vm.startPrank(owner);
        real.setModel(VERSION, new ConstantVerifier(false), inst[1], inst[0]);
        real.setBatchVerifier(VERSION, IZkCreditVerifier(address(verifier)), 8);
        real.setAttester(attester, true);
        vm.stopPrank();
        uint64 expiry = _expiry();
        (bytes32 r, bytes32 vs) = vm.signCompact(attesterKey, real.batchAttestationDigest(_slots(inst), expiry));
        real.submitBatch(VERSION, proof, inst, expiry, r, vs);
        for (uint256 i = 0; i < who.length; i++) {
            assertEq(real.approvalOf(who[i]).nonce, 1);
        }
        assertEq(who.length, 4);
        // A flipped proof byte: refused, by the verifier's revert or its false.
        proof[100] ^= 0x01;
        vm.expectRevert();
        real.submitBatch(VERSION, proof, inst, expiry, r, vs);
    }
}
