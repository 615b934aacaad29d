'use strict';
/**
 * Threads about a document ("contact the seller") in the generated data set: a share of the 1:1
 * threads outside the heavy user's are asks about a listing (the playground's api::listing.listing).
 * The thread's starter (member 0) is the asker, member 1 the listing's seller. One seller (user
 * index 1, `gen_2`) owns many listings and answers a large share of the asks; every other context
 * thread is about a listing of its own, owned by its member 1.
 *
 * Called on the members before any member state is computed: it only moves the seller into
 * member slot 1 of its threads (no random draw), so the read state and counters stay exact.
 *
 * Sizes at the full data set: 100,000 context threads, 50,000 of them asks to the seller about
 * 10,000 listings (5 askers a listing), at most half the threads at smaller sizes.
 */
const SELLER = 1;

const assignContexts = (m, o) => {
  const { T, U, heavyThreads, groups, memberOffsets, memberUser } = m;
  const oneToOneEnd = T - groups; // groups are the last threads
  const C = Math.max(0, Math.min(o.contextThreads ?? 100000, Math.floor(T * 0.5), oneToOneEnd - heavyThreads));
  const S = Math.min(o.sellerAsks ?? 50000, Math.floor(C / 2));
  const L = Math.min(o.sellerListings ?? 10000, Math.max(1, Math.floor(S / 5)));
  const listingOwner = []; // user index per listing; the seller's are 0..L-1
  for (let l = 0; l < (S > 0 ? L : 0); l += 1) listingOwner.push(SELLER);
  const threadListing = new Int32Array(T).fill(-1);
  const asks = []; // [thread, listing]: the asker's (member 0) current thread about the listing
  const taken = new Set();
  const otherUser = (t) => 2 + (t % (U - 2)); // neither the heavy user (0) nor the seller (1)
  for (let i = 0; i < C; i += 1) {
    const t = heavyThreads + i;
    const k0 = memberOffsets[t];
    if (memberOffsets[t + 1] - k0 !== 2) continue;
    if (i < S) {
      if (memberUser[k0] === SELLER) memberUser[k0] = otherUser(t);
      memberUser[k0 + 1] = SELLER;
      if (memberUser[k0] === SELLER || memberUser[k0] === memberUser[k0 + 1]) memberUser[k0] = otherUser(t + 1);
      // Listings in turn; an asker asks about a listing once (one ask row per listing and asker).
      let l = i % L;
      for (let j = 0; j < L && taken.has(`${l}:${memberUser[k0]}`); j += 1) l = (l + 1) % L;
      threadListing[t] = l;
      if (!taken.has(`${l}:${memberUser[k0]}`)) {
        taken.add(`${l}:${memberUser[k0]}`);
        asks.push([t, l]);
      }
    } else {
      for (const k of [k0, k0 + 1]) if (memberUser[k] === SELLER) memberUser[k] = otherUser(t + k - k0);
      if (memberUser[k0] === memberUser[k0 + 1]) memberUser[k0] = otherUser(t + 7);
      threadListing[t] = listingOwner.length;
      listingOwner.push(memberUser[k0 + 1]);
      asks.push([t, threadListing[t]]);
    }
  }
  return { SELLER, contextThreads: C, sellerAsks: S, sellerListings: S > 0 ? L : 0, listingOwner, threadListing, asks };
};

module.exports = { assignContexts, SELLER };
