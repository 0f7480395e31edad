/*******************************************************************************
 * Copyright (c) 2022 Lighthouse Project contributors
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License 2.0 which is available at
 * https://www.eclipse.org/legal/epl-2.0/
 *
 * SPDX-License-Identifier: EPL-2.0
 ******************************************************************************/
package org.lighthouse.beam;

public interface Beam {
    void sweep();
}
