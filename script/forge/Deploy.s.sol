// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.24;

import {Script, console} from "forge-std/Script.sol";
import {CreditGate} from "../../contracts/CreditGate.sol";
import {IZkCreditVerifier} from "../../contracts/IZkCreditVerifier.sol";
import {ZkCreditVerifier} from "../../contracts/ZkCreditVerifier.sol";

/// @notice Deploy the committed verifier (bundled German Credit model, demo SRS) and a CreditGate,
///         register the policy and trust one attester: the Foundry route for Solidity developers
///         (`zkcredit deploy` does the same from Rust and also handles other models' keys).
/// @dev Environment: ZKCREDIT_ATTESTER (address, required), ZKCREDIT_MODEL_ID and ZKCREDIT_THRESHOLD
///      (public inputs 4 and 1 as uint256; default: read from contracts/test/fixtures/german-credit.json,
///      i.e. the bundled model at threshold 0.5), ZKCREDIT_MODEL_VERSION (default 1).
///        forge script script/forge/Deploy.s.sol --rpc-url $RPC --broadcast --private-key ...
///      Without --broadcast it only simulates (CI runs it that way).
contract Deploy is Script {
    function run() external returns (CreditGate gate, address verifier) {
        string memory fixture = vm.readFile("contracts/test/fixtures/german-credit.json");
        uint256[] memory inst = vm.parseJsonUintArray(fixture, ".proofs[0].instances");
        uint256 modelId = vm.envOr("ZKCREDIT_MODEL_ID", inst[4]);
        uint256 threshold = vm.envOr("ZKCREDIT_THRESHOLD", inst[1]);
        uint256 versionWord = vm.envOr("ZKCREDIT_MODEL_VERSION", uint256(1));
        require(versionWord <= type(uint32).max, "ZKCREDIT_MODEL_VERSION must fit in uint32");
        // forge-lint: disable-next-line(unsafe-typecast)
        uint32 version = uint32(versionWord); // checked above
        address attester = vm.envAddress("ZKCREDIT_ATTESTER");

        vm.startBroadcast();
        verifier = address(new ZkCreditVerifier());
        gate = new CreditGate(msg.sender);
        gate.setModel(version, IZkCreditVerifier(verifier), modelId, threshold);
        gate.setAttester(attester, true);
        vm.stopBroadcast();

        console.log("ZkCreditVerifier", verifier);
        console.log("CreditGate", address(gate));
    }
}
