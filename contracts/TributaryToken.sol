// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title The settlement token of one Tributary deployment.
/// @notice A plain fixed-supply ERC-20 with EIP-2612 permits. Name and symbol are chosen
/// by whoever deploys it (a devnet, a test, an operator), so it claims to be no existing
/// project's token. The whole supply goes to the deployer, who funds the payout
/// distributor, a faucet or vesting wallets from it. There is no mint after
/// construction: whatever the distributor pays, it pays from a balance it was given, so
/// no settlement bug can create tokens.
contract TributaryToken is ERC20, ERC20Permit {
    constructor(string memory name_, string memory symbol_, uint256 initialSupply)
        ERC20(name_, symbol_)
        ERC20Permit(name_)
    {
        _mint(msg.sender, initialSupply);
    }
}
