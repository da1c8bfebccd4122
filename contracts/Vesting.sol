// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// OpenZeppelin's VestingWallet, unchanged: importing it here makes the project's compile
// (src/chain/compile.ts) emit its ABI and bytecode, so team and grant allocations can be
// deployed with the audited contract rather than a copy of it.
import {VestingWallet} from "@openzeppelin/contracts/finance/VestingWallet.sol";
