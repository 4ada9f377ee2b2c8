//! Disjoint sets over record indices, with path halving and union by size.

#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<usize>,
    size: Vec<u32>,
}

impl UnionFind {
    pub fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n).collect(),
            size: vec![1; n],
        }
    }

    pub fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Joins the sets of `a` and `b`; gives the new root, or `None` when they were one.
    pub fn union(&mut self, a: usize, b: usize) -> Option<usize> {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return None;
        }
        let (big, small) = if self.size[ra] >= self.size[rb] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small] = big;
        self.size[big] += self.size[small];
        Some(big)
    }

    /// For every element, the smallest element of its set: a label that does not depend
    /// on the order sets were joined in.
    pub fn least_members(&mut self) -> Vec<usize> {
        let n = self.parent.len();
        let mut least = vec![usize::MAX; n];
        for i in 0..n {
            let r = self.find(i);
            least[r] = least[r].min(i);
        }
        (0..n).map(|i| least[self.find(i)]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_labels_by_least_member() {
        let mut uf = UnionFind::new(6);
        assert!(uf.union(4, 2).is_some());
        assert!(uf.union(2, 5).is_some());
        assert!(uf.union(5, 4).is_none());
        assert!(uf.union(1, 3).is_some());
        assert_eq!(uf.least_members(), vec![0, 1, 2, 1, 2, 2]);
    }
}
